/**
 * The delivery log in a real browser: two messages go through the real outbox to a scripted
 * e-mail channel — one sent, one refused by the "server" — and the operator finds both on the
 * Notifications page, opens the failed one, sends it again, and sees it sent. Both pages pass axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChannelSender, OutgoingMessage } from '../../../controller/src/notify/channel.js'
import { queueNotification } from '../../../controller/src/notify/queue.js'
import { TEST_ADMIN_PASSWORD, testApp } from '../../../controller/src/testing/test-app.js'
import { expectAccessible } from '../support/a11y.js'
import { browserTitle, launchBrowser, newContext, skipBrowser, waitForText } from '../support/browser.js'
import { submitOperatorLogin } from '../support/ui-login.js'

/** Sends everything, except a receipt's first try, which the mail server refuses for good. */
function scriptedEmail(): ChannelSender & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = []
  let refused = false
  return {
    channel: 'email',
    sent,
    async send(out) {
      if (out.notification.event === 'topup.applied' && !refused) {
        refused = true
        return { ok: false, error: '550 5.1.1 mailbox unavailable', retry: false }
      }
      sent.push(out)
      return { ok: true, ref: `<${out.delivery.id}@mail.test>` }
    },
  }
}

describe.skipIf(skipBrowser)(browserTitle('the delivery log in a browser'), () => {
  const email = scriptedEmail()
  let t: Awaited<ReturnType<typeof testApp>>
  let server: Awaited<ReturnType<typeof t.serve>>
  let browser: Awaited<ReturnType<typeof launchBrowser>>

  beforeAll(async () => {
    t = await testApp({ nowMs: Date.now(), notify: { senders: [email] } })
    const { subscriber } = await t.seed()
    t.env.channels = new Set(['email'])
    await t.call('PATCH', `/subscribers/${subscriber.id}`, { email: 'alice@example.net' })
    t.outbox!.start()
    for (const [key, event] of [
      ['usage.threshold/alice/80', 'usage.threshold'],
      ['topup.applied/alice/1', 'topup.applied'],
    ] as const) {
      await t.store.transact((tx) =>
        queueNotification(tx, t.env, {
          key,
          event,
          subscriberId: subscriber.id,
          vars: { name: 'Alice', used: '80 GB' },
          data: {},
        }),
      )
    }
    await t.outbox!.idle()
    server = await t.serve()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    t?.outbox?.stop()
    await server?.close()
  })

  it('shows a sent and a failed message; "Send again" sends the failed one', async () => {
    const context = await newContext(browser, `http://127.0.0.1:${server.port}`, { bypassCSP: true })
    const page = await context.newPage()
    await page.goto(`/login?next=${encodeURIComponent('/notifications')}`)
    expect(await submitOperatorLogin(page, 'admin', TEST_ADMIN_PASSWORD)).toBe(303)
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor()

    const log = page.locator('#deliveries')
    const sentRow = log.getByRole('row').filter({ hasText: 'Usage alert' })
    const failedRow = log.getByRole('row').filter({ hasText: 'Top-up added' })
    await waitForText(sentRow, 'sent')
    await waitForText(failedRow, 'failed')
    await waitForText(failedRow, '550 5.1.1 mailbox unavailable')
    expect(await failedRow.getByRole('link', { name: 'Alice' }).count()).toBe(1)
    await expectAccessible(page, 'the delivery log')

    await page.getByLabel('Status').selectOption('failed')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL((url) => url.searchParams.get('status') === 'failed')
    expect(await log.getByRole('row').count()).toBe(2) // the header and the failed one

    await failedRow.getByRole('button', { name: /^Send again/ }).click()
    await waitForText(page.getByRole('status'), 'queued to be sent again')
    await expectAccessible(page, 'a message of the delivery log')
    // The outbox sends it at once; the page shows it once reloaded.
    await expect
      .poll(
        async () => {
          await page.reload()
          return page.locator('#delivery-title + dl .badge').textContent()
        },
        { timeout: 10_000 },
      )
      .toBe('sent')
    await waitForText(page.locator('dl.facts'), '@mail.test>')
    expect(email.sent.map((o) => o.notification.event).sort()).toEqual(['topup.applied', 'usage.threshold'])
    await context.close()
  })
})
