/** The new and edit subscriber forms' fields, read into the API's inputs and checked by the API's schemas. */
import type { BillingDay } from '@capd/protocol'
import { CreateSubscriber } from '../api/schemas.js'
import { UpdateSubscriber } from '../api/subscriber-schemas.js'
import type { SubscriberChanges, SubscriberInput } from '../domain/subscribers.js'
import { checkedAs } from '../ui/form-input.js'
import { type FormFields, fieldError, fieldText, requiredText } from '../ui/form-values.js'

export const SUBSCRIBER_LABELS = {
  name: 'Name',
  login: 'Login',
  password: 'Password',
  email: 'E-mail',
  phone: 'Phone',
  postalAddress: 'Postal address',
  notes: 'Notes',
  planId: 'Plan',
  agentId: 'Agent',
  address: 'Address',
  billingDay: 'Billing day',
} as const

/** On the edit form the password box sets a new one. */
export const EDIT_LABELS = { ...SUBSCRIBER_LABELS, password: 'New password' } as const

/** "1"–"31" or "last" (any case). */
function billingDayValue(form: FormFields, label: string): BillingDay {
  const text = requiredText(form, 'billingDay', label).toLowerCase()
  if (text === 'last') return 'last'
  const day = Number(text)
  if (!/^\d{1,2}$/.test(text) || day < 1 || day > 31) {
    throw fieldError(label, 'enter a day of the month from 1 to 31, or "last"')
  }
  return day
}

/** A password is taken as typed (spaces count); an empty box means none. */
const passwordValue = (form: FormFields) => (form.password ? form.password : undefined)

/** The optional contact fields and notes as typed; an empty box is none. */
const optionalFields = (form: FormFields) => ({
  phone: fieldText(form, 'phone'),
  postalAddress: fieldText(form, 'postalAddress'),
  notes: fieldText(form, 'notes'),
})

/** The fields both forms have, in the shape the API's schemas read. */
function commonFields(form: FormFields, labels: typeof SUBSCRIBER_LABELS | typeof EDIT_LABELS) {
  return {
    name: form.name ?? '',
    planId: requiredText(form, 'planId', labels.planId),
    agentId: requiredText(form, 'agentId', labels.agentId),
    address: requiredText(form, 'address', labels.address),
    billingDay: billingDayValue(form, labels.billingDay),
  }
}

export function newSubscriberFromForm(form: FormFields): SubscriberInput {
  const password = passwordValue(form)
  const email = fieldText(form, 'email')
  const given = Object.entries(optionalFields(form)).filter(([, v]) => v !== undefined)
  return checkedAs(
    CreateSubscriber,
    {
      ...commonFields(form, SUBSCRIBER_LABELS),
      login: requiredText(form, 'login', SUBSCRIBER_LABELS.login),
      ...(password === undefined ? {} : { password }),
      ...(email === undefined ? {} : { email }),
      ...Object.fromEntries(given),
    },
    SUBSCRIBER_LABELS,
  )
}

/**
 * The edit form sends every field: what is unchanged is left alone by updateSubscriber. An empty
 * e-mail, phone, postal address or notes box removes it; an empty new password keeps the old one.
 */
export function subscriberChangesFromForm(form: FormFields): {
  changes: Omit<SubscriberChanges, 'passwordHash'>
  password: string | undefined
} {
  const password = passwordValue(form)
  const { password: checked, ...changes } = checkedAs(
    UpdateSubscriber,
    {
      ...commonFields(form, EDIT_LABELS),
      email: fieldText(form, 'email') ?? null,
      ...Object.fromEntries(Object.entries(optionalFields(form)).map(([k, v]) => [k, v ?? null])),
      ...(password === undefined ? {} : { password }),
    },
    EDIT_LABELS,
  )
  return { changes, password: checked }
}
