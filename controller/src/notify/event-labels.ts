/** Each notification event in a few plain words, for the pages that list them. */
import type { NotificationEvent } from '../store/entities.js'

export const EVENT_LABELS: Readonly<Record<NotificationEvent, string>> = {
  'usage.threshold': 'Usage alert (a share of the data used)',
  'usage.cap_reached': 'All data used: connection paused',
  'usage.throttled': 'All data used: speed reduced',
  'topup.applied': 'Top-up added',
  'auto_topup.applied': 'Automatic top-up added',
  'auto_topup.declined': 'Automatic top-up not bought',
  'invoice.issued': 'Invoice issued',
  'payment.received': 'Payment received',
  'agent.offline': 'Staff: agent offline',
  'agent.back': 'Staff: agent back online',
  'webhook.refused': 'Staff: payment webhook refused',
  'store.near_full': 'Staff: data disk nearly full',
}
