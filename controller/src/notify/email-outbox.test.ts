/** The outbox sending e-mail to a real SMTP relay that is down for a while: the message arrives once, when it is back. */
import { afterEach, describe, expect, it } from 'vitest'
import { header, SINK_PASSWORD, SmtpSink } from '../testing/smtp-sink.js'
import { testApp } from '../testing/test-app.js'
import { retryDelayMs } from './backoff.js'
import { emailConfigFromEnv } from './email-config.js'
import { EmailSender } from './email-sender.js'
import { setOperatorAlertEmails } from './notify-settings.js'
import { queueNotification } from './queue.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('e-mail through the outbox', () => {
  it('waits out a relay that is down and delivers once it is back, exactly once', async () => {
    const sink = new SmtpSink()
    await sink.start()
    await sink.stop() // the port is known, and nothing listens on it
    cleanups.push(() => sink.stop())
    const sender = new EmailSender(
      emailConfigFromEnv({ CAPD_SMTP_URL: sink.url(), CAPD_MAIL_FROM: 'Acme ISP <noc@acme.example>' })!,
    )
    const t = await testApp({ notify: { senders: [sender] } })
    cleanups.push(() => t.outbox!.stop())

    const notification = await t.store.transact(async (tx) => {
      await setOperatorAlertEmails(tx, t.env, ['noc@isp.example'])
      return queueNotification(tx, t.env, {
        key: 'agent.offline/agt_1/1',
        event: 'agent.offline',
        agentId: 'agt_1',
        vars: { agent: 'tower-1' },
        data: { agentId: 'agt_1' },
      })
    })
    const deliveryOf = async () =>
      t.store.transact(async (tx) => (await tx.deliveries.forNotification(notification!.id))[0]!)

    expect(await t.outbox!.pass()).toBe(1)
    const waiting = await deliveryOf()
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1, to: 'noc@isp.example' })
    expect(waiting.lastError).toMatch(/ECONNREFUSED/)

    await sink.start()
    t.clock.advance(retryDelayMs(1) - 1)
    expect(await t.outbox!.pass()).toBe(0)
    expect(sink.received).toHaveLength(0)
    t.clock.advance(1)
    expect(await t.outbox!.pass()).toBe(1)
    expect(sink.received).toHaveLength(1)
    const sent = await deliveryOf()
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 })
    expect(sent.providerRef).toBe(`<${sent.id}@acme.example>`)
    expect(header(sink.received[0]!.raw, 'Message-ID')).toBe(sent.providerRef)

    for (let i = 0; i < 5; i++) {
      t.clock.advance(3600_000)
      expect(await t.outbox!.pass()).toBe(0)
    }
    expect(sink.received).toHaveLength(1)
    // The outbox said why it waited, and never what the relay's password is.
    expect(t.notifyLog.join('\n')).toMatch(/will retry/)
    expect(t.notifyLog.join('\n')).not.toContain(SINK_PASSWORD)
  })
})
