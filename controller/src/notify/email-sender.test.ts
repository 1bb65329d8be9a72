/** The e-mail channel against a real SMTP server: STARTTLS, login, the message as it arrives, and its outcomes. */
import { afterEach, describe, expect, it } from 'vitest'
import type { Notification } from '../store/entities.js'
import { header, part, SINK_PASSWORD, SmtpSink } from '../testing/smtp-sink.js'
import type { OutgoingMessage, RenderedMessage } from './channel.js'
import { type EmailConfig, emailConfigFromEnv } from './email-config.js'
import { EmailSender, smtpFailure } from './email-sender.js'
import { newDelivery } from './queue.js'

const FROM = '"Acme ISP" <noc@acme.example>'
const NOW = Date.parse('2026-03-10T12:00:00Z')

const notification: Notification = {
  id: 'usage.threshold/sub_1/80',
  event: 'usage.threshold',
  vars: {},
  data: {},
  createdAtMs: NOW,
}

function outgoing(to: string, message: RenderedMessage): OutgoingMessage {
  return { delivery: newDelivery(notification, 'email', to, NOW), notification, message }
}

function config(url: string): EmailConfig {
  return emailConfigFromEnv({ CAPD_SMTP_URL: url, CAPD_MAIL_FROM: FROM })!
}

const open: { close(): void | Promise<void> }[] = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
})

async function sinkAndSender(sinkOptions: ConstructorParameters<typeof SmtpSink>[0] = {}, password?: string) {
  const sink = await new SmtpSink(sinkOptions).start()
  open.push({ close: () => sink.stop() })
  const sender = new EmailSender(config(sink.url(password)))
  open.push(sender)
  return { sink, sender }
}

describe('EmailSender', () => {
  it('logs in over STARTTLS and delivers text and html alternatives with the delivery id as Message-ID', async () => {
    const { sink, sender } = await sinkAndSender()
    const out = outgoing('alice@example.net', {
      subject: 'You have used 80% of your data',
      text: 'Hello Alice,\nyou have used 80 GB of 100 GB.',
      html: '<p>Hello Alice,</p><p>you have used <b>80 GB</b> of 100 GB.</p>',
    })
    const outcome = await sender.send(out)

    const expectedId = `<${out.delivery.id}@acme.example>`
    expect(outcome).toEqual({ ok: true, ref: expectedId })
    expect(sink.received).toHaveLength(1)
    const mail = sink.received[0]!
    // The sink accepts a login only over TLS: a message at all means STARTTLS was used.
    expect(mail.secure).toBe(true)
    expect(mail.user).toBe('capd-relay')
    expect(mail.envelopeFrom).toBe('noc@acme.example')
    expect(mail.envelopeTo).toEqual(['alice@example.net'])
    expect(header(mail.raw, 'From')).toBe('Acme ISP <noc@acme.example>')
    expect(header(mail.raw, 'To')).toBe('alice@example.net')
    expect(header(mail.raw, 'Subject')).toBe('You have used 80% of your data')
    expect(header(mail.raw, 'Message-ID')).toBe(expectedId)
    expect(header(mail.raw, 'Content-Type')).toMatch(/^multipart\/alternative;/)
    expect(part(mail.raw, 'text/plain')?.trim()).toBe(out.message.text)
    expect(part(mail.raw, 'text/html')?.trim()).toBe(out.message.html)
  })

  it('sends a text-only message when there is no html', async () => {
    const { sink, sender } = await sinkAndSender()
    const out = outgoing('bob@example.net', { subject: 'Top-up applied', text: 'Your 10 GB top-up is on.' })
    expect((await sender.send(out)).ok).toBe(true)
    const raw = sink.received[0]!.raw
    expect(header(raw, 'Content-Type')).toMatch(/^text\/plain/)
    expect(raw).not.toMatch(/text\/html/i)
    expect(raw).toContain('Your 10 GB top-up is on.')
  })

  it('gives a second attempt of one delivery the same Message-ID, and another delivery its own', async () => {
    const { sink, sender } = await sinkAndSender()
    const first = outgoing('carol@example.net', { subject: 's', text: 't' })
    const other = outgoing('carol@example.net', { subject: 's', text: 't' })
    await sender.send(first)
    await sender.send({ ...first, delivery: { ...first.delivery, attempts: 2 } })
    await sender.send(other)
    const ids = sink.received.map((m) => header(m.raw, 'Message-ID'))
    expect(ids[0]).toBe(ids[1])
    expect(ids[2]).not.toBe(ids[0])
    expect(ids[2]).toBe(`<${other.delivery.id}@acme.example>`)
  })

  it('does not retry a recipient the relay refuses for good, and retries one it refuses for now', async () => {
    const { sink, sender } = await sinkAndSender({
      refuse: (address) =>
        address.startsWith('gone@')
          ? { code: 550, message: '5.1.1 No such user' }
          : address.startsWith('bad@')
            ? { code: 553, message: '5.1.3 Bad recipient address syntax' }
            : address.startsWith('busy@')
              ? { code: 451, message: '4.3.0 Mailbox busy, try later' }
              : undefined,
    })
    const gone = await sender.send(outgoing('gone@example.net', { subject: 's', text: 't' }))
    expect(gone).toMatchObject({ ok: false, retry: false })
    expect(gone.ok || gone.error).toMatch(/550.*No such user/)
    const bad = await sender.send(outgoing('bad@example.net', { subject: 's', text: 't' }))
    expect(bad).toMatchObject({ ok: false, retry: false })
    const busy = await sender.send(outgoing('busy@example.net', { subject: 's', text: 't' }))
    expect(busy).toMatchObject({ ok: false, retry: true })
    expect(busy.ok || busy.error).toMatch(/451/)
    // The pool goes on working after refusals.
    expect((await sender.send(outgoing('dave@example.net', { subject: 's', text: 't' }))).ok).toBe(true)
    expect(sink.received.map((m) => m.envelopeTo)).toEqual([['dave@example.net']])
  })

  it('retries a refused login and says why, without the password', async () => {
    const wrong = 'not-the-relay-password-7Hq'
    const { sink, sender } = await sinkAndSender({}, wrong)
    const outcome = await sender.send(outgoing('erin@example.net', { subject: 's', text: 't' }))
    expect(outcome).toMatchObject({ ok: false, retry: true })
    expect(outcome.ok || outcome.error).toMatch(/535/)
    expect(JSON.stringify(outcome)).not.toContain(wrong)
    expect(JSON.stringify(outcome)).not.toContain(SINK_PASSWORD)
    expect(sink.received).toHaveLength(0)
  })

  it('retries when the relay is not listening', async () => {
    const sink = await new SmtpSink().start()
    await sink.stop()
    const sender = new EmailSender(config(sink.url()))
    open.push(sender)
    const outcome = await sender.send(outgoing('frank@example.net', { subject: 's', text: 't' }))
    expect(outcome).toMatchObject({ ok: false, retry: true })
    expect(outcome.ok || outcome.error).toMatch(/ECONNREFUSED/)
  })
})

describe('smtpFailure', () => {
  const err = (fields: Record<string, unknown>) => Object.assign(new Error('refused'), fields)

  it('fails for good only on a 5xx about this message (its recipient or its content)', () => {
    for (let code = 400; code < 600; code++) {
      for (const command of ['RCPT TO', 'DATA', 'MAIL FROM', 'AUTH PLAIN', 'CONN']) {
        const outcome = smtpFailure(err({ responseCode: code, command, code: 'EENVELOPE' }))
        const permanent = code >= 500 && (command === 'RCPT TO' || command === 'DATA')
        expect(outcome, `${code} ${command}`).toEqual({ ok: false, error: 'refused', retry: !permanent })
      }
    }
  })

  it('retries connection failures and timeouts', () => {
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS']) {
      expect(smtpFailure(err({ code, command: 'CONN' })), code).toMatchObject({ ok: false, retry: true })
      expect(smtpFailure(err({ code })), code).toMatchObject({ ok: false, retry: true })
    }
  })
})
