/** The ISP's notification settings kept in the store's settings: where staff alerts go. */
import type { DomainEnv } from '../domain/env.js'
import { putSetting } from '../domain/put-setting.js'
import type { Tx } from '../store/store.js'

const KEYS = { operatorEmails: 'notify.operatorEmails' } as const

/** The addresses staff alerts (agent offline, payment webhook refused, store near full) are e-mailed to. */
export async function operatorAlertEmails(tx: Tx): Promise<string[]> {
  const value = (await tx.settings.get(KEYS.operatorEmails))?.value ?? ''
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
}

export async function setOperatorAlertEmails(
  tx: Tx,
  env: DomainEnv,
  emails: readonly string[],
): Promise<void> {
  await putSetting(tx, env, KEYS.operatorEmails, emails.join(','))
}
