/** Settings → Notifications (admins): where staff alerts are e-mailed, and which channels are set up. */
import type { Hono } from 'hono'
import { MAX_ALERT_EMAILS, parseAlertEmails, setStaffAlertEmails } from '../notify/alert-addresses.js'
import { operatorAlertEmails } from '../notify/notify-settings.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { ActionForm, Field } from '../ui/forms.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { type Frame, frame, type OperatorKit } from './operator-kit.js'

/** How each customer channel is switched on, said when it is not. */
const CHANNELS = [
  { id: 'email', label: 'E-mail', howTo: 'set CAPD_SMTP_URL' },
  { id: 'sms', label: 'SMS', howTo: 'set up an SMS gateway' },
] as const

export function notifySettingsPage(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  const path = '/settings/notifications'

  ui.get(path, kit.pageFor('settings'), async (c) => {
    const emails = await store.peek((tx) => operatorAlertEmails(tx))
    const configured = env.channels ?? new Set()
    return c.html(<NotifySettings f={frame(c)} emails={emails} configured={(id) => configured.has(id)} />)
  })

  ui.post(path, kit.action('settings'), (c) =>
    formAction(c, 'operator', path, async () => {
      const form = await readForm(c)
      const emails = parseAlertEmails(form.emails ?? '')
      await store.transact((tx) => setStaffAlertEmails(tx, env, c.var.actor, emails))
      return {
        message:
          emails.length === 0
            ? 'Staff alerts are no longer e-mailed.'
            : `Staff alerts go to ${emails.join(', ')}.`,
      }
    }),
  )
}

function NotifySettings(p: { f: Frame; emails: string[]; configured: (id: 'email' | 'sms') => boolean }) {
  return (
    <OperatorPage {...p.f} title="Notification settings" section="settings">
      <p>
        <a href="/settings">Settings</a>
      </p>
      <h1>Notification settings</h1>
      <section class="card" aria-labelledby="channels-title">
        <h2 id="channels-title">Channels</h2>
        <dl class="facts">
          {CHANNELS.map((ch) => (
            <>
              <dt>{ch.label}</dt>
              <dd>{p.configured(ch.id) ? 'configured' : `not configured (${ch.howTo})`}</dd>
            </>
          ))}
          <dt>Webhooks</dt>
          <dd>every enabled endpoint receives its events</dd>
        </dl>
      </section>
      <section class="card">
        <h2 id="staff-alerts-title">Staff alerts</h2>
        <p>
          An agent going offline or coming back, a payment webhook refused, the data disk nearly full: these
          are e-mailed to the addresses here.
        </p>
        <ActionForm
          action="/settings/notifications"
          csrf={p.f.csrf}
          submit="Save addresses"
          labelledBy="staff-alerts-title"
        >
          <Field
            id="emails"
            label="Staff alert addresses"
            type="text"
            value={p.emails.join(', ')}
            autocomplete="off"
            hint={`Separate addresses with commas; at most ${MAX_ALERT_EMAILS}. Empty: staff alerts are not e-mailed.`}
          />
        </ActionForm>
        {p.configured('email') ? null : (
          <p class="notice pending">E-mail is not configured: nothing is e-mailed until it is.</p>
        )}
      </section>
    </OperatorPage>
  )
}
