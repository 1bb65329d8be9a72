/** Setting where staff alerts go: checked addresses (at most 10), audited. */
import { z } from 'zod'
import { audit } from '../domain/audit.js'
import type { Actor, DomainEnv } from '../domain/env.js'
import { fieldRefusal } from '../domain/refusal.js'
import type { Tx } from '../store/store.js'
import { setOperatorAlertEmails } from './notify-settings.js'

export const MAX_ALERT_EMAILS = 10

const Email = z.email().max(254)

/** The addresses in `text` (separated by commas, spaces or new lines), each checked; refuses the lot on one bad one. */
export function parseAlertEmails(text: string): string[] {
  const seen = new Set<string>()
  const emails: string[] = []
  for (const item of text.split(/[\s,;]+/)) {
    if (item === '' || seen.has(item.toLowerCase())) continue
    if (!Email.safeParse(item).success) {
      const problem = `not an e-mail address: ${item}`
      throw fieldRefusal('invalid_request', 'emails', `emails: ${problem}`, problem)
    }
    seen.add(item.toLowerCase())
    emails.push(item)
  }
  if (emails.length > MAX_ALERT_EMAILS) {
    const problem = `give at most ${MAX_ALERT_EMAILS} addresses (${emails.length} given)`
    throw fieldRefusal('invalid_request', 'emails', `emails: ${problem}`, problem)
  }
  return emails
}

export async function setStaffAlertEmails(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  emails: readonly string[],
): Promise<void> {
  await setOperatorAlertEmails(tx, env, emails)
  await audit(tx, env, actor, 'settings.notifications', 'settings', 'notifications', {
    operatorEmails: emails,
  })
}
