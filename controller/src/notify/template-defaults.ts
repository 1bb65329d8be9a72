/**
 * The words every message starts with, in plain language. An ISP may change any of them in
 * Settings → Notification templates; these stay the defaults a template is reset to.
 * SMS texts stay under 160 characters with typical values (one SMS), so they name the essentials.
 */
import type { NotificationEvent } from '../store/entities.js'

export interface EmailTemplate {
  readonly subject: string
  readonly body: string
}

export interface SmsTemplate {
  readonly body: string
}

export interface EventTemplates {
  readonly email: EmailTemplate
  readonly sms: SmsTemplate
}

const SIGN_OFF = 'Questions? Contact {{supportContact}}.\n\n{{ispName}}'
const TOP_UP_LINE = 'Need more? Buy a top-up: {{topUpUrl}}'

export const DEFAULT_TEMPLATES: Readonly<Record<NotificationEvent, EventTemplates>> = {
  'usage.threshold': {
    email: {
      subject: "You've used {{threshold}}% of your data",
      body: `Hello {{name}},\n\nYou have used {{used}} of your {{limit}} this period ({{percent}}%). {{remaining}} is left until {{periodEnd}}.\n\n${TOP_UP_LINE}\n\n${SIGN_OFF}`,
    },
    sms: {
      body: '{{ispName}}: you have used {{percent}}% of your data ({{used}} of {{limit}}). {{remaining}} left until {{periodEnd}}. Top up: {{topUpUrl}}',
    },
  },
  'usage.cap_reached': {
    email: {
      subject: 'You have used all your data',
      body: `Hello {{name}},\n\nYou have used all {{limit}} of your data for this period, so your connection is paused until {{periodEnd}}.\n\nBuy a top-up to get back online now: {{topUpUrl}}\n\n${SIGN_OFF}`,
    },
    sms: {
      body: '{{ispName}}: you have used all {{limit}} of your data. Internet is paused until {{periodEnd}}. Top up: {{topUpUrl}}',
    },
  },
  'usage.throttled': {
    email: {
      subject: 'Your internet is slower until {{periodEnd}}',
      body: `Hello {{name}},\n\nYou have used all {{limit}} of your data for this period. You are still online, at a lower speed, until {{periodEnd}}.\n\nBuy a top-up to get full speed back: {{topUpUrl}}\n\n${SIGN_OFF}`,
    },
    sms: {
      body: '{{ispName}}: you have used all {{limit}} of your data. Speed is reduced until {{periodEnd}}. Top up: {{topUpUrl}}',
    },
  },
  'topup.applied': {
    email: {
      subject: 'Your {{size}} top-up is ready',
      body: `Hello {{name}},\n\nYour top-up of {{size}} ({{price}}) has been added. You can use it until {{validUntil}}.\n\nYou now have {{remaining}} left this period.\n\n${SIGN_OFF}`,
    },
    sms: {
      body: '{{ispName}}: your {{size}} top-up is ready, valid until {{validUntil}}. {{remaining}} left now.',
    },
  },
  'auto_topup.applied': {
    email: {
      subject: 'We topped up {{size}} for you',
      body: `Hello {{name}},\n\nYou were running low, so your automatic top-up added {{size}} ({{price}}). You can use it until {{validUntil}}.\n\nYou now have {{remaining}} left this period.\n\n${SIGN_OFF}`,
    },
    sms: { body: '{{ispName}}: automatic top-up of {{size}} ({{price}}) added. {{remaining}} left now.' },
  },
  'auto_topup.declined': {
    email: {
      subject: 'Your automatic top-up did not go through',
      body: `Hello {{name}},\n\nYour automatic top-up was not bought: {{reason}}.\n\nYou have {{remaining}} left until {{periodEnd}}. You can buy a top-up yourself: {{topUpUrl}}\n\n${SIGN_OFF}`,
    },
    sms: {
      body: '{{ispName}}: your automatic top-up was not bought: {{reason}}. {{remaining}} left. Top up: {{topUpUrl}}',
    },
  },
  'invoice.issued': {
    email: {
      subject: 'Invoice {{invoiceNumber}} from {{ispName}}',
      body: `Hello {{name}},\n\nYour invoice {{invoiceNumber}} for {{total}} is ready. You can see it in your account.\n\n${SIGN_OFF}`,
    },
    sms: { body: '{{ispName}}: invoice {{invoiceNumber}} for {{total}} is ready in your account.' },
  },
  'payment.received': {
    email: {
      subject: 'Thank you: payment of {{amount}} received',
      body: `Hello {{name}},\n\nWe received your payment of {{amount}} ({{method}}). Thank you.\n\n${SIGN_OFF}`,
    },
    sms: { body: '{{ispName}}: we received your payment of {{amount}} ({{method}}). Thank you.' },
  },
  'agent.offline': {
    email: {
      subject: 'Agent {{agentName}} is offline',
      body: 'The agent {{agentName}} has not been connected since {{lastSeen}} ({{minutes}} minutes): capd cannot send it new limits until it connects again.\n\nCheck the router it runs on and its network.\n\ncapd for {{ispName}}',
    },
    sms: { body: 'capd: agent {{agentName}} offline since {{lastSeen}}.' },
  },
  'agent.back': {
    email: {
      subject: 'Agent {{agentName}} is back online',
      body: 'The agent {{agentName}}, offline since {{lastSeen}}, is connected again after {{minutes}} minutes.\n\ncapd for {{ispName}}',
    },
    sms: { body: 'capd: agent {{agentName}} is back online.' },
  },
  'webhook.refused': {
    email: {
      subject: 'A {{provider}} payment webhook was refused',
      body: 'capd refused a payment webhook from {{provider}}: {{reason}}.\n\nIf this keeps happening, payments may not be recorded: check the webhook secret in the provider’s dashboard and in capd’s settings.\n\ncapd for {{ispName}}',
    },
    sms: { body: 'capd: a {{provider}} payment webhook was refused ({{reason}}).' },
  },
  'store.near_full': {
    email: {
      subject: 'The controller’s disk is nearly full',
      body: 'Only {{free}} of {{total}} ({{percentFree}} %) is free on the disk that holds capd’s data. When it is full, capd stops recording usage and payments.\n\nFree some space or give the disk more room.\n\ncapd for {{ispName}}',
    },
    sms: { body: 'capd: only {{free}} of {{total}} free on the data disk.' },
  },
}
