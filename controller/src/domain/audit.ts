/** One line in the audit log per change: who, what, when. */
import { newId } from '../ids.js'
import type { Tx } from '../store/store.js'
import type { Actor, DomainEnv } from './env.js'

export async function audit(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  action: string,
  entity: string,
  entityId: string,
  data?: unknown,
): Promise<void> {
  const atMs = env.clock.now()
  await tx.audit.append({ id: newId('aud', atMs), atMs, actor, action, entity, entityId, data })
}
