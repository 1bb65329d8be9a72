/** Agent enrolment: a name and a token shown once, stored hashed. */
import { hashToken, newToken } from '../auth/tokens.js'
import { newId } from '../ids.js'
import type { Agent } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'

export async function enrolAgent(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  name: string,
): Promise<{ agent: Agent; token: string }> {
  const now = env.clock.now()
  const token = newToken('capda')
  const agent: Agent = { id: newId('agt', now), name, tokenHash: hashToken(token), createdAtMs: now }
  await tx.agents.insert(agent)
  await audit(tx, env, actor, 'agent.enrol', 'agent', agent.id, { name })
  return { agent, token }
}
