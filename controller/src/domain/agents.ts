/** Agent enrolment: a name and a token shown once, stored hashed. */
import { randomBytes } from 'node:crypto'
import { agentToken } from '@capd/protocol'
import { hashToken } from '../auth/tokens.js'
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
  const id = newId('agt', now)
  const token = agentToken(id, randomBytes(32).toString('base64url'))
  const agent: Agent = { id, name, tokenHash: hashToken(token), createdAtMs: now }
  await tx.agents.insert(agent)
  await audit(tx, env, actor, 'agent.enrol', 'agent', agent.id, { name })
  return { agent, token }
}
