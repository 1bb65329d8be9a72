/** How a customer wants to hear from the ISP: usage alerts by e-mail and/or SMS, and receipts by e-mail. */
import { type AlertChoices, DEFAULT_ALERT_CHOICES, type Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { liveSubscriber } from './live-subscriber.js'
import { type FieldProblem, Refusal } from './refusal.js'

/** The subscriber's choices, the defaults where they never made any. */
export const alertChoicesOf = (sub: Subscriber): AlertChoices => sub.alerts ?? DEFAULT_ALERT_CHOICES

/** Which contact each choice needs: without it nothing can be sent that way. */
const NEEDS = {
  email: { has: (s: Subscriber) => Boolean(s.email), missing: 'an e-mail address' },
  sms: { has: (s: Subscriber) => Boolean(s.phone), missing: 'a phone number' },
  receipts: { has: (s: Subscriber) => Boolean(s.email), missing: 'an e-mail address' },
} as const

/**
 * Saves the choices. A way without its contact cannot be switched on (nothing could be sent), but
 * one already on stays on: the defaults are on, and a contact the operator adds later then works
 * at once. Every usage alert off is allowed: the customer then hears nothing before running out.
 */
export async function setAlertChoices(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  subscriberId: string,
  choices: AlertChoices,
): Promise<Subscriber> {
  const sub = await liveSubscriber(tx, subscriberId)
  const current = alertChoicesOf(sub)
  const problems: FieldProblem[] = []
  for (const key of ['email', 'sms', 'receipts'] as const) {
    if (choices[key] && !current[key] && !NEEDS[key].has(sub)) {
      problems.push({ path: key, message: `cannot be switched on without ${NEEDS[key].missing} on file` })
    }
  }
  if (problems.length > 0) {
    const message = problems.map((p) => `${p.path}: ${p.message}`).join('; ')
    throw new Refusal('invalid_request', message, problems)
  }
  const alerts: AlertChoices = { email: choices.email, sms: choices.sms, receipts: choices.receipts }
  const updated: Subscriber = { ...sub, alerts }
  await tx.subscribers.update(updated)
  await audit(tx, env, actor, 'alerts.set', 'subscriber', subscriberId, alerts)
  return updated
}
