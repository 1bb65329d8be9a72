/** What every domain operation needs besides the transaction: time, the zone periods follow, the currency. */
import type { Clock } from '../clock.js'

export interface DomainEnv {
  clock: Clock
  /** IANA zone billing periods are computed in (the controller's zone). */
  timeZone: string
  /** ISO 4217 code every price and payment must be in. */
  currency: string
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlMs: number
  /**
   * The customer channels configured (`CAPD_SMTP_URL` → e-mail, an SMS gateway → SMS): a
   * notification queues messages only on these. Absent = none (webhooks need no setting here).
   */
  channels?: ReadonlySet<'email' | 'sms'>
  /** The URL customers reach the controller at (`--public-url`), for links in messages; absent = none. */
  publicUrl?: string
}

/** Who did it, for the audit log: `token:<id>`, `user:<id>`, `agent:<id>`, `customer:<id>` or `system`. */
export type Actor = string
