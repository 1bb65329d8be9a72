/**
 * The variables each event's messages may use: one table, read by the template check (an unknown
 * name is refused at save), the settings page (documented beside the form) and the README.
 * Each has an example, which also stands in for an event's own figures in a preview.
 */
import { type NotificationEvent, SUBSCRIBER_EVENTS, type SubscriberEvent } from '../store/entities.js'

export interface TemplateVariable {
  readonly name: string
  readonly about: string
  readonly example: string
}

const v = (name: string, about: string, example: string): TemplateVariable => ({ name, about, example })

/** The ISP's own details, on every message (read from the branding when the message is rendered). */
export const BRANDING_VARIABLES: readonly TemplateVariable[] = [
  v('ispName', 'Your name, as set in Branding', 'Skyline Wireless'),
  v('supportEmail', 'Your support e-mail address (empty if not set)', 'help@skyline.example'),
  v('supportPhone', 'Your support phone number (empty if not set)', '+254 700 000 111'),
  v(
    'supportContact',
    'Your support e-mail and phone as one phrase ("help@… or +254…"); your name when neither is set',
    'help@skyline.example or +254 700 000 111',
  ),
]

/** The subscriber's figures when the event was decided (see vars.ts). */
export const SUBSCRIBER_VARIABLES: readonly TemplateVariable[] = [
  v('name', "The subscriber's name", 'Amina Njeri'),
  v('login', "The subscriber's login", 'amina'),
  v('used', 'Data used this period', '8.1 GB'),
  v('limit', 'The whole allowance this period (plan and top-ups)', '10 GB'),
  v('remaining', 'Data left this period', '1.9 GB'),
  v('percent', 'Share of the allowance used, whole percent', '81'),
  v('periodEnd', 'The last day of the period', '30 Nov 2026'),
  v(
    'topUpUrl',
    'Where the customer buys a top-up (empty without --public-url)',
    'https://isp.example/portal',
  ),
]

const TOP_UP: readonly TemplateVariable[] = [
  v('size', 'The top-up’s data', '5 GB'),
  v('price', 'What it cost', 'KES 500.00'),
  v('validUntil', 'The last day it can be used', '30 Nov 2026'),
]

/** Each event's own variables, beside the subscriber's figures (subscriber events) or alone (staff events). */
const EVENT_VARIABLES: Readonly<Record<NotificationEvent, readonly TemplateVariable[]>> = {
  'usage.threshold': [v('threshold', 'The alert level reached, in percent', '80')],
  'usage.cap_reached': [],
  'usage.throttled': [],
  'topup.applied': TOP_UP,
  'auto_topup.applied': TOP_UP,
  'auto_topup.declined': [
    v('reason', 'Why it was not bought, in plain words', 'your balance is too low for the next one'),
    v('balance', "The account's balance", 'KES 120.00'),
  ],
  'invoice.issued': [
    v('invoiceNumber', "The invoice's number", 'INV-2026-0042'),
    v('total', "The invoice's total", 'KES 1,500.00'),
  ],
  'payment.received': [
    v('amount', 'The amount paid', 'KES 1,500.00'),
    v('method', 'How it was paid, in plain words', 'M-Pesa'),
  ],
  'agent.offline': [
    v('agentName', "The agent's name", 'core-router-1'),
    v('lastSeen', 'When it was last heard from', '1 Dec 2026, 14:05'),
    v('minutes', 'For how many minutes it has not been heard from', '12'),
  ],
  'agent.back': [
    v('agentName', "The agent's name", 'core-router-1'),
    v('lastSeen', 'When it had last been heard from before', '1 Dec 2026, 14:05'),
    v('minutes', 'How many minutes it was away', '47'),
  ],
  'webhook.refused': [
    v('provider', 'The payment provider', 'Stripe'),
    v('reason', 'Why the webhook was refused', 'bad signature'),
    v('at', 'When it was refused', '1 Dec 2026, 14:05'),
  ],
  'store.near_full': [
    v('free', 'Free space left on the data disk', '800 MB'),
    v('total', "The data disk's size", '20 GB'),
    v('percentFree', 'Free space as a percentage of the disk', '4'),
  ],
}

const isSubscriberEvent = (event: NotificationEvent): event is SubscriberEvent =>
  (SUBSCRIBER_EVENTS as readonly string[]).includes(event)

/** Every variable a message of `event` may use, in the order the settings page documents them. */
export function templateVariables(event: NotificationEvent): readonly TemplateVariable[] {
  return [
    ...(isSubscriberEvent(event) ? SUBSCRIBER_VARIABLES : []),
    ...EVENT_VARIABLES[event],
    ...BRANDING_VARIABLES,
  ]
}

/** The names alone, for the check at save time. */
export const variableNames = (event: NotificationEvent): ReadonlySet<string> =>
  new Set(templateVariables(event).map((x) => x.name))

/** The event's own variables (not the subscriber's figures nor the branding), for a preview's stand-ins. */
export const eventVariables = (event: NotificationEvent): readonly TemplateVariable[] =>
  EVENT_VARIABLES[event]

export { isSubscriberEvent }
