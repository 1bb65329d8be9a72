/** What SMS sender tests share: an outgoing message to a number, and random texts that are hard to carry. */
import type { OutgoingMessage } from '../channel.js'

export function smsTo(to: string, text: string): OutgoingMessage {
  return {
    delivery: {
      id: 'dlv_1',
      notificationId: 'usage.threshold/sub_1/80',
      event: 'usage.threshold',
      subscriberId: 'sub_1',
      channel: 'sms',
      to,
      status: 'sending',
      attempts: 1,
      nextAttemptAtMs: 0,
      giveUpAtMs: 86_400_000,
      createdAtMs: 0,
    },
    notification: {
      id: 'usage.threshold/sub_1/80',
      event: 'usage.threshold',
      subscriberId: 'sub_1',
      vars: {},
      data: {},
      createdAtMs: 0,
    },
    message: { subject: 'Usage alert', text },
  }
}

/** Pieces that break naive encodings: separators, quotes, escapes, placeholders, replacement patterns, astral characters. */
const HARD = [
  '&',
  '=',
  '+',
  '%',
  '%20',
  '#',
  '?',
  '"',
  "'",
  '\\',
  '\n',
  '\r\n',
  '\t',
  '{{to}}',
  '{{from}}',
  '$&',
  '$1',
  '😀',
  '👩🏽‍💻',
  'é',
  'ß',
  '\u2028',
  '<',
  '>',
  ' ',
]

/** A seeded random text of 1–80 pieces: hard pieces and random code points from the BMP and beyond. */
export function randomText(seed: number): string {
  let s = seed >>> 0 || 1
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    return s
  }
  const pieces: string[] = []
  const length = 1 + (next() % 80)
  for (let i = 0; i < length; i++) {
    const kind = next() % 3
    if (kind === 0) pieces.push(HARD[next() % HARD.length]!)
    else if (kind === 1) pieces.push(String.fromCodePoint(0x20 + (next() % 0x2000)))
    else {
      // Any code point but a surrogate half (those are not text).
      const cp = next() % 0x10ffff
      pieces.push(String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? cp + 0x800 : cp))
    }
  }
  return pieces.join('')
}
