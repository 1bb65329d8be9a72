/** The new and edit subscriber forms' fields, read into the API's inputs and checked by the API's schemas. */
import { addressRefusal, type BillingDay, type IpPrefix, parseIpPrefix } from '@capd/protocol'
import { CreateSubscriber } from '../api/schemas.js'
import { UpdateSubscriber } from '../api/subscriber-schemas.js'
import type { SubscriberChanges, SubscriberInput } from '../domain/subscribers.js'
import { FormCheck, type IssueMessage, textMessage } from '../ui/form-check.js'
import { fieldError, sentence } from '../ui/form-refusal.js'
import { type FormFields, fieldText, requiredText } from '../ui/form-values.js'

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

const BILLING_DAY = 'Enter a day of the month from 1 to 31, or "last".'
const ADDRESS = 'Enter an IPv4 or IPv6 address or prefix, e.g. 10.0.0.5 or 2001:db8::/64.'

/** What each field says when the API's schema refuses it (its own words are for API clients). */
const MESSAGES: Record<keyof typeof SUBSCRIBER_LABELS, IssueMessage> = {
  name: textMessage("Enter the subscriber's name.", 100),
  login: (issue) =>
    issue.code === 'too_small'
      ? 'Enter a login.'
      : issue.code === 'too_big'
        ? 'Use at most 64 characters.'
        : 'Use only letters, digits and . _ @ + - (no spaces).',
  password: (issue) =>
    issue.code === 'too_big'
      ? 'Use at most 200 characters.'
      : 'Use at least 8 characters, or leave it empty.',
  email: (issue) =>
    issue.code === 'too_big'
      ? 'Use at most 254 characters.'
      : 'Enter an e-mail address such as name@example.net.',
  planId: 'Choose a plan.',
  agentId: 'Choose an agent.',
  address: ADDRESS,
  billingDay: BILLING_DAY,
  phone: 'Enter the phone number in international form, e.g. +254 712 345 678.',
  postalAddress: textMessage('Enter the postal address.', 500),
  notes: textMessage('Enter the notes.', 2000),
}

/** "1"–"31" or "last" (any case). */
function billingDayValue(form: FormFields, label: string): BillingDay {
  const text = requiredText(form, 'billingDay', label).toLowerCase()
  if (text === 'last') return 'last'
  const day = Number(text)
  if (!/^\d{1,2}$/.test(text) || day < 1 || day > 31) throw fieldError('billingDay', label, BILLING_DAY)
  return day
}

/**
 * An address a subscriber may have; the reason a special or catch-all range is refused, in its
 * words. An empty box is none: the subscriber is known by its login.
 */
function addressValue(form: FormFields, label: string): string | undefined {
  const text = fieldText(form, 'address')
  if (text === undefined) return undefined
  let prefix: IpPrefix
  try {
    prefix = parseIpPrefix(text)
  } catch {
    throw fieldError('address', label, ADDRESS)
  }
  const refusal = addressRefusal(prefix)
  if (refusal) throw fieldError('address', label, sentence(refusal))
  return text
}

/** A password is taken as typed (spaces count); an empty box means none. */
const passwordValue = (form: FormFields) => (form.password ? form.password : undefined)

/** The optional contact fields and notes as typed; an empty box is none. */
const optionalFields = (form: FormFields) => ({
  phone: fieldText(form, 'phone'),
  postalAddress: fieldText(form, 'postalAddress'),
  notes: fieldText(form, 'notes'),
})

/** The fields both forms have, in the shape the API's schemas read; a bad one is noted and left out. */
function commonFields(
  check: FormCheck,
  form: FormFields,
  labels: typeof SUBSCRIBER_LABELS | typeof EDIT_LABELS,
) {
  return {
    name: form.name ?? '',
    planId: check.read(() => requiredText(form, 'planId', labels.planId)),
    agentId: check.read(() => requiredText(form, 'agentId', labels.agentId)),
    billingDay: check.read(() => billingDayValue(form, labels.billingDay)),
  }
}

export function newSubscriberFromForm(form: FormFields): SubscriberInput {
  const check = new FormCheck()
  const password = passwordValue(form)
  const email = fieldText(form, 'email')
  const given = Object.entries(optionalFields(form)).filter(([, v]) => v !== undefined)
  const address = check.read(() => addressValue(form, SUBSCRIBER_LABELS.address))
  const input = {
    ...commonFields(check, form, SUBSCRIBER_LABELS),
    ...(address === undefined ? {} : { address }),
    login: check.read(() => requiredText(form, 'login', SUBSCRIBER_LABELS.login)),
    ...(password === undefined ? {} : { password }),
    ...(email === undefined ? {} : { email }),
    ...Object.fromEntries(given),
  }
  return check.done(check.schema(CreateSubscriber, input, MESSAGES, SUBSCRIBER_LABELS))
}

/**
 * The edit form sends every field: what is unchanged is left alone by updateSubscriber. An empty
 * address, e-mail, phone, postal address or notes box removes it (no address: the subscriber is
 * then known by its login); an empty new password keeps the old one.
 */
export function subscriberChangesFromForm(form: FormFields): {
  changes: Omit<SubscriberChanges, 'passwordHash'>
  password: string | undefined
} {
  const check = new FormCheck()
  const password = passwordValue(form)
  const input = {
    ...commonFields(check, form, EDIT_LABELS),
    address: check.read(() => addressValue(form, EDIT_LABELS.address) ?? null),
    email: fieldText(form, 'email') ?? null,
    ...Object.fromEntries(Object.entries(optionalFields(form)).map(([k, v]) => [k, v ?? null])),
    ...(password === undefined ? {} : { password }),
  }
  const { password: checked, ...changes } = check.done(
    check.schema(UpdateSubscriber, input, MESSAGES, EDIT_LABELS),
  )
  return { changes, password: checked }
}
