/**
 * Every operator form as a refused-form test drives it: where it is, what a good post holds, and a
 * post with several bad fields at once with the fields it must mark (see field-errors.test.ts).
 */
import { csrfFrom } from '../testing/browser-caller.js'
import { formNamed } from '../testing/field-marks.js'
import { TEST_ADMIN_PASSWORD } from '../testing/test-app.js'
import type { subscriberTestKit } from './subscriber-test-kit.js'

export type Kit = Awaited<ReturnType<typeof subscriberTestKit>>

export interface FormCase {
  name: string
  page: (k: Kit) => string
  /** The id of the heading that names the form. */
  titleId: string
  action: (k: Kit) => string
  /** The form carries an idempotency key (see OnceField). */
  once: boolean
  good: (k: Kit) => Record<string, string>
  /** Several bad fields at once, over `good`. */
  bad: Record<string, string>
  /** The controls that must be marked (a data amount's unit select when only the unit is wrong). */
  marked: string[]
}

const sub = (k: Kit) => `/subscribers/${k.subscriber.id}`

export const FORM_CASES: FormCase[] = [
  {
    name: 'new subscriber',
    page: () => '/subscribers/new',
    titleId: 'new-subscriber-title',
    action: () => '/subscribers',
    once: true,
    good: (k) => ({
      name: 'Bob Jones',
      login: 'bob',
      password: '',
      email: '',
      planId: k.plan.id,
      agentId: k.agent.id,
      address: '10.0.0.77',
      billingDay: '1',
    }),
    bad: { login: 'bob jones', password: 'short', email: 'bob-at-home', address: 'home', billingDay: '40' },
    marked: ['login', 'password', 'email', 'address', 'billingDay'],
  },
  {
    name: 'edit subscriber',
    page: sub,
    titleId: 'edit-subscriber-title',
    action: sub,
    once: false,
    good: (k) => ({
      name: 'Alice',
      password: '',
      email: 'alice@example.net',
      planId: k.plan.id,
      agentId: k.agent.id,
      address: '10.0.0.5',
      billingDay: '1',
    }),
    bad: { name: '  ', address: '300.1.1.1', billingDay: 'first' },
    marked: ['name', 'address', 'billingDay'],
  },
  {
    name: 'new plan',
    page: () => '/plans',
    titleId: 'new-plan-title',
    action: () => '/plans',
    once: false,
    good: () => ({
      name: 'Family',
      capBytes: '200',
      capBytesUnit: 'GB',
      onCap: 'throttle',
      throttleKbps: '512',
    }),
    bad: { name: '', capBytes: 'lots', throttleKbps: 'fast' },
    marked: ['name', 'capBytes', 'throttleKbps'],
  },
  {
    name: 'edit plan',
    page: (k) => `/plans/${k.plan.id}`,
    titleId: 'edit-plan-title',
    action: (k) => `/plans/${k.plan.id}`,
    once: false,
    good: () => ({ name: 'Basic', capBytes: '100', capBytesUnit: 'GB', onCap: 'block', throttleKbps: '' }),
    bad: { name: 'x'.repeat(101), capBytesUnit: 'PB', onCap: 'explode' },
    marked: ['name', 'capBytesUnit', 'onCap'],
  },
  {
    name: 'new top-up plan',
    page: () => '/topup-plans',
    titleId: 'new-topup-plan-title',
    action: () => '/topup-plans',
    once: false,
    good: () => ({ name: 'Week', bytes: '5', bytesUnit: 'GB', price: '2.99', validityDays: '7' }),
    bad: { bytesUnit: '', price: 'free', validityDays: '0' },
    marked: ['bytesUnit', 'price', 'validityDays'],
  },
  {
    name: 'edit top-up plan',
    page: (k) => `/topup-plans/${k.topUpPlan.id}`,
    titleId: 'edit-topup-plan-title',
    action: (k) => `/topup-plans/${k.topUpPlan.id}`,
    once: false,
    good: () => ({ name: '10 GB', bytes: '10', bytesUnit: 'GB', price: '5.00', validityDays: '' }),
    bad: { name: '', bytes: '0.5', bytesUnit: 'MB', price: '-1', validityDays: '1.5' },
    marked: ['name', 'bytes', 'price', 'validityDays'],
  },
  {
    name: 'manual top-up',
    page: sub,
    titleId: 'manual-topup-title',
    action: (k) => `${sub(k)}/topups`,
    once: true,
    good: () => ({ bytes: '5', bytesUnit: 'GB', price: '5.00', chargeTo: 'invoice' }),
    bad: { bytes: 'lots', price: '1.005', chargeTo: 'card' },
    marked: ['bytes', 'price', 'chargeTo'],
  },
  {
    name: 'sell a top-up plan',
    page: sub,
    titleId: 'sell-topup-title',
    action: (k) => `${sub(k)}/topups/plan`,
    once: true,
    good: (k) => ({ topUpPlanId: k.topUpPlan.id, chargeTo: 'invoice' }),
    bad: { topUpPlanId: '', chargeTo: 'cash' },
    marked: ['topUpPlanId', 'chargeTo'],
  },
  {
    name: 'auto top-up',
    page: sub,
    titleId: 'auto-topup-title',
    action: (k) => `${sub(k)}/auto-topup`,
    once: false,
    good: (k) => ({
      enabled: 'on',
      topUpPlanId: k.topUpPlan.id,
      maxPerPeriod: '2',
      thresholdBytes: '1',
      thresholdBytesUnit: 'GB',
      customerMayChange: 'on',
    }),
    bad: { topUpPlanId: '', maxPerPeriod: '0', thresholdBytes: '1.5.5' },
    marked: ['topUpPlanId', 'maxPerPeriod', 'thresholdBytes'],
  },
  {
    name: 'record a payment',
    page: sub,
    titleId: 'payment-title',
    action: (k) => `${sub(k)}/payments`,
    once: true,
    good: () => ({ amount: '20.00', reference: 'bank 42' }),
    bad: { amount: 'ten', reference: 'x'.repeat(201) },
    marked: ['amount', 'reference'],
  },
  {
    name: 'new staff account',
    page: () => '/staff',
    titleId: 'new-staff-title',
    action: () => '/staff',
    once: false,
    good: () => ({ username: 'carol', name: 'Carol', role: 'support', newPassword: 'a-long-password-1' }),
    bad: { username: '', role: 'owner', newPassword: 'short' },
    marked: ['username', 'role', 'newPassword'],
  },
  {
    name: 'change own password',
    page: () => '/account/password',
    titleId: 'change-password-title',
    action: () => '/account/password',
    once: false,
    good: () => ({
      currentPassword: TEST_ADMIN_PASSWORD,
      newPassword: 'new-long-password-9',
      confirmPassword: 'new-long-password-9',
    }),
    bad: { currentPassword: 'wrong', newPassword: 'short', confirmPassword: 'short' },
    marked: ['currentPassword', 'newPassword'],
  },
  {
    name: 'enrol an agent',
    page: () => '/agents',
    titleId: 'enrol-agent-title',
    action: () => '/agents',
    once: true,
    good: () => ({ name: 'tower-7', driver: 'routeros' }),
    bad: { name: '\u202e', driver: 'cisco' },
    marked: ['name', 'driver'],
  },
]

/** Loads the form's page and posts `fields` with that page's CSRF token and, if it has one, key. */
export async function postForm(k: Kit, c: FormCase, fields: Record<string, string>) {
  const html = (await k.browser.get(c.page(k))).html
  const key = c.once
    ? /name="idempotencyKey" value="([^"]+)"/.exec(formNamed(html, c.titleId))?.[1]
    : undefined
  const form = { _csrf: csrfFrom(html), ...(key ? { idempotencyKey: key } : {}), ...fields }
  return k.browser.post(c.action(k), form)
}

/** What the form shows in control `name`: a box's value, a select's chosen option, or "on" when ticked. */
export function shownIn(html: string, titleId: string, name: string): string | undefined {
  const form = formNamed(html, titleId)
  const input = new RegExp(`<input[^>]* name="${name}"[^>]*>`).exec(form)?.[0]
  if (input) {
    if (/type="checkbox"/.test(input)) return / checked/.test(input) ? 'on' : undefined
    return /value="([^"]*)"/.exec(input)?.[1]
  }
  const select = new RegExp(`<select[^>]* name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(form)?.[1]
  return select === undefined ? undefined : /<option value="([^"]*)" selected/.exec(select)?.[1]
}
