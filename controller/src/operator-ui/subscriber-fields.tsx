/** The fields of the new and edit subscriber forms; when editing, pre-filled and with the login as text. */

import { NOTES_MAX, POSTAL_ADDRESS_MAX } from '../api/contact-schemas.js'
import type { Subscriber } from '../store/entities.js'
import { Field, Select, TextArea } from '../ui/forms.js'
import type { SubscriberChoices } from './subscriber-choices.js'
import { EDIT_LABELS, SUBSCRIBER_LABELS } from './subscriber-form-input.js'

const planOption = (p: SubscriberChoices['plans'][number]) => ({
  value: p.id,
  label: p.retiredAtMs === undefined ? p.name : `${p.name} (retired)`,
})

const agentOption = (a: SubscriberChoices['agents'][number]) => ({
  value: a.id,
  label: a.revokedAtMs === undefined ? a.name : `${a.name} (revoked)`,
})

const ADDRESS_HINT =
  'IPv4/IPv6 address or prefix, e.g. 10.0.0.5 or 2001:db8::/64. Leave empty for PPPoE/hotspot subscribers: the agent finds the address from the login.'

/** `prefix` keeps the field ids unique on the page; `sub` is the subscriber being edited. */
export function SubscriberFields({
  prefix,
  choices,
  sub,
}: {
  prefix: string
  choices: SubscriberChoices
  sub?: Subscriber
}) {
  const labels = sub ? EDIT_LABELS : SUBSCRIBER_LABELS
  return (
    <>
      <Field id={`${prefix}-name`} name="name" label={labels.name} required value={sub?.name} />
      {sub ? (
        <div class="field">
          <strong>{labels.login}</strong>
          <span>{sub.login}</span>
          <p class="hint">A login cannot be changed: it is how the customer logs in.</p>
        </div>
      ) : (
        <Field
          id={`${prefix}-login`}
          name="login"
          label={labels.login}
          required
          autocomplete="off"
          hint="Letters, digits and . _ @ + - only. It cannot be changed later."
        />
      )}
      <Field
        id={`${prefix}-password`}
        name="password"
        label={labels.password}
        type="password"
        autocomplete="new-password"
        hint={
          sub
            ? `Leave empty to keep the ${sub.passwordHash ? 'current password' : 'account without a portal login'}. A new one logs the customer out of the portal.`
            : 'Lets the customer use the portal; leave empty for no portal login'
        }
      />
      <Field
        id={`${prefix}-email`}
        name="email"
        label={labels.email}
        type="email"
        value={sub?.email}
        hint="Optional."
      />
      <Field
        id={`${prefix}-phone`}
        name="phone"
        label={labels.phone}
        type="tel"
        autocomplete="off"
        value={sub?.phone}
        hint="Optional. International form: + and the country code, e.g. +254 712 345 678."
      />
      <TextArea
        id={`${prefix}-postal-address`}
        name="postalAddress"
        label={labels.postalAddress}
        value={sub?.postalAddress}
        maxlength={POSTAL_ADDRESS_MAX}
        hint="Optional. The customer sees it in the portal."
      />
      <TextArea
        id={`${prefix}-notes`}
        name="notes"
        label={labels.notes}
        value={sub?.notes}
        maxlength={NOTES_MAX}
        hint="Optional. For staff only: never shown to the customer."
      />
      <Select
        id={`${prefix}-plan`}
        name="planId"
        label={labels.planId}
        options={choices.plans.map(planOption)}
        value={sub?.planId}
        required
        hint={choices.plans.length === 0 ? 'No plans are on offer: create one under Plans.' : undefined}
      />
      <Select
        id={`${prefix}-agent`}
        name="agentId"
        label={labels.agentId}
        options={choices.agents.map(agentOption)}
        value={sub?.agentId}
        required
        hint={
          choices.agents.length === 0
            ? 'No agents are enrolled: enrol one under Agents.'
            : sub
              ? 'The agent at the router this subscriber is reached through. A new one takes over at once; the old one stops enforcing.'
              : 'The agent at the router this subscriber is reached through.'
        }
      />
      <Field
        id={`${prefix}-address`}
        name="address"
        label={labels.address}
        value={sub?.address}
        hint={ADDRESS_HINT}
      />
      <Field
        id={`${prefix}-billing-day`}
        name="billingDay"
        label={labels.billingDay}
        required
        value={sub ? String(sub.billingDay) : '1'}
        hint={
          sub
            ? 'A day of the month, 1 to 31 (a shorter month uses its last day), or "last". A new day moves the current period at once; usage since its start still counts.'
            : 'A day of the month, 1 to 31 (a shorter month uses its last day), or "last".'
        }
      />
    </>
  )
}
