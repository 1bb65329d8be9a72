/** Writing one of the store's settings (by name), whether it was set before or not. */
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'

export async function putSetting(tx: Tx, env: DomainEnv, id: string, value: string): Promise<void> {
  const row = { id, value, setAtMs: env.clock.now() }
  if (await tx.settings.get(id)) await tx.settings.update(row)
  else await tx.settings.insert(row)
}
