import { describe, expect, it } from 'vitest'
import { createSessionFallback, LAST_SESSIONS_MAX_AGE_MS } from './session-fallback.js'
import { parseSessionLines } from './session-parse.js'
import type { SessionSource } from './session-source.js'

/** A source answering with these lines, or failing with this error, as the test says. */
function handSource() {
  let now: string | Error = ''
  const source: SessionSource = {
    async read() {
      if (now instanceof Error) throw now
      return parseSessionLines(now).sessions
    },
  }
  return { source, answer: (lines: string) => (now = lines), fail: (why: string) => (now = new Error(why)) }
}

const texts = (byLogin: Map<string, Array<{ text: string }>>) =>
  Object.fromEntries([...byLogin].map(([login, prefixes]) => [login, prefixes.map((p) => p.text)]))

describe('createSessionFallback', () => {
  it('plans with the last list while it is younger than 10 minutes, warning once per failure streak', async () => {
    const hand = handSource()
    const warnings: string[] = []
    let clock = 1_000_000
    const sessions = createSessionFallback(
      hand.source,
      (line) => warnings.push(line),
      () => clock,
    )
    hand.answer('alice 10.0.0.2\nbob 10.0.0.3\n')
    expect(texts((await sessions.read()).byLogin)).toEqual({ alice: ['10.0.0.2'], bob: ['10.0.0.3'] })
    expect(warnings).toEqual([])

    hand.fail('reading sessions: accel-cmd timed out after 5000 ms')
    for (const after of [1000, 60_000, LAST_SESSIONS_MAX_AGE_MS - 1]) {
      clock = 1_000_000 + after
      const now = await sessions.read()
      expect(now.unread).toBeUndefined()
      expect(texts(now.byLogin)).toEqual({ alice: ['10.0.0.2'], bob: ['10.0.0.3'] })
    }
    expect(warnings).toEqual([
      expect.stringMatching(
        /^reading sessions: accel-cmd timed out .*; enforcing logins on the sessions read 1 s ago/,
      ),
    ])
  })

  it('past 10 minutes (or with no list at all) gives logins no address, warning at every read', async () => {
    const hand = handSource()
    const warnings: string[] = []
    let clock = 0
    const sessions = createSessionFallback(
      hand.source,
      (line) => warnings.push(line),
      () => clock,
    )
    hand.fail('reading sessions: accel-cmd failed (exit 1): connection refused')
    for (let i = 0; i < 2; i++) {
      expect(await sessions.read()).toEqual({
        byLogin: new Map(),
        unread: 'reading sessions: accel-cmd failed (exit 1): connection refused',
      })
    }
    expect(warnings).toHaveLength(2)
    expect(warnings[1]).toMatch(/subscribers known by login have no address: they are not counted, capped/)

    hand.answer('alice 10.0.0.2\n')
    expect(texts((await sessions.read()).byLogin)).toEqual({ alice: ['10.0.0.2'] })
    expect(warnings[2]).toMatch(/sessions can be read again/)

    hand.fail('accel-cmd hung')
    clock = LAST_SESSIONS_MAX_AGE_MS - 1
    expect((await sessions.read()).unread).toBeUndefined()
    clock = LAST_SESSIONS_MAX_AGE_MS
    expect(await sessions.read()).toEqual({ byLogin: new Map(), unread: 'accel-cmd hung' })
    clock += 1000
    expect((await sessions.read()).unread).toBe('accel-cmd hung')
    // Once while the young list stood in, then at every read past it.
    expect(warnings.slice(3)).toEqual([
      expect.stringMatching(/accel-cmd hung; enforcing logins on the sessions read/),
      expect.stringMatching(/accel-cmd hung; no session list from the last 10 min/),
      expect.stringMatching(/accel-cmd hung; no session list from the last 10 min/),
    ])
  })
})
