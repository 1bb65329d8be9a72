/** The customer's alert choices: usage alerts by e-mail and SMS, and receipts by e-mail. */
import type { AlertChoices } from '../store/entities.js'
import { RefillForm } from '../ui/form-refill-context.js'
import { Checkbox, CsrfField } from '../ui/forms.js'

export interface AlertsFormProps {
  choices: AlertChoices
  email?: string | undefined
  phone?: string | undefined
  /** The plan's alert percentages, ascending (may be empty). */
  notifyAtPercent: readonly number[]
  /** The ways the ISP sends messages at all (see DomainEnv.channels). */
  channels: ReadonlySet<'email' | 'sms'>
  csrf: string
}

export const ALERTS_PATH = '/portal/alerts'

/** What turning every usage alert off means, said before and after it is done. */
export const NO_USAGE_ALERTS = 'you will not be told before your data runs out.'

/** Whether usage alerts reach the customer some way: a chosen way with its contact on file. */
export const hearsAboutUsage = (c: AlertChoices, contact: { email?: string; phone?: string }) =>
  (c.email && Boolean(contact.email)) || (c.sms && Boolean(contact.phone))

export function AlertsForm(p: AlertsFormProps) {
  const contact = { email: p.email, phone: p.phone }
  return (
    <section>
      {hearsAboutUsage(p.choices, contact) ? null : (
        <div class="notice" id="alerts-off">
          <p>{`Usage alerts are off: ${NO_USAGE_ALERTS}`}</p>
        </div>
      )}
      <form method="post" action={ALERTS_PATH} aria-labelledby="alerts-title">
        <CsrfField token={p.csrf} />
        <RefillForm action={ALERTS_PATH}>
          <p id="usage-when">{`${usageWhen(p.notifyAtPercent)} If you turn both off, ${NO_USAGE_ALERTS}`}</p>
          <Checkbox
            id="alerts-email"
            name="email"
            label="Usage alerts by e-mail"
            checked={p.choices.email}
            disabled={!p.email}
            hint={wayHint('e-mail', p.email, 'No e-mail address is on file', p.channels.has('email'))}
          />
          <Checkbox
            id="alerts-sms"
            name="sms"
            label="Usage alerts by SMS"
            checked={p.choices.sms}
            disabled={!p.phone}
            hint={wayHint('SMS', p.phone, 'No phone number is on file', p.channels.has('sms'))}
          />
          <Checkbox
            id="alerts-receipts"
            name="receipts"
            label="Receipts by e-mail (top-ups, invoices, payments)"
            checked={p.choices.receipts}
            disabled={!p.email}
            hint={wayHint('e-mail', p.email, 'No e-mail address is on file', p.channels.has('email'))}
          />
        </RefillForm>
        <button type="submit" class="button primary wide">
          Save alerts
        </button>
      </form>
    </section>
  )
}

function usageWhen(percents: readonly number[]): string {
  const below = percents.filter((n) => n < 100).map((n) => `${n}%`)
  if (below.length === 0) return 'We tell you when your data runs out.'
  const list = below.length === 1 ? below[0] : `${below.slice(0, -1).join(', ')} and ${below.at(-1)}`
  return `We tell you when you have used ${list} of your data, and when it runs out.`
}

/** Where messages go, or why this way cannot be chosen; and whether the ISP sends them yet. */
function wayHint(way: string, to: string | undefined, none: string, sent: boolean): string {
  if (!to) return `${none}: ask your provider to add one to choose this.`
  const where = `To ${to}.`
  // The choice is kept either way: it applies as soon as the provider starts sending.
  return sent ? where : `${where} Your provider does not send ${way} messages at the moment.`
}
