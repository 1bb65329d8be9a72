/** Agents: enrolment (a token shown once, stored hashed), revocation, and when each was last heard from. */
import { randomBytes } from 'node:crypto'
import { agentToken } from '@capd/protocol'
import { hashToken } from '../auth/tokens.js'
import { newId } from '../ids.js'
import { decideAgentBack } from '../notify/operator-events.js'
import type { Agent } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { notFound, Refusal } from './refusal.js'

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

export async function revokeAgent(tx: Tx, env: DomainEnv, actor: Actor, id: string): Promise<Agent> {
  const agent = await tx.agents.get(id)
  if (!agent) throw notFound('agent', id)
  if (agent.revokedAtMs !== undefined) return agent
  const revoked = { ...agent, revokedAtMs: env.clock.now() }
  await tx.agents.update(revoked)
  await audit(tx, env, actor, 'agent.revoke', 'agent', id)
  return revoked
}

/** Records a hello: the agent was heard from, and runs this version with this driver and journal epoch. */
export async function recordHello(
  tx: Tx,
  env: DomainEnv,
  agent: Agent,
  hello: { agentVersion: string; driver: string; epoch: string },
): Promise<void> {
  // Before "last seen" moves on: it names the silent spell the offline alert was about.
  await decideAgentBack(tx, env, agent)
  if (
    agent.agentVersion === hello.agentVersion &&
    agent.driver === hello.driver &&
    agent.epoch === hello.epoch &&
    !agent.problems
  ) {
    return touchAgent(tx, env, agent)
  }
  // A new connection starts without problems: the agent reports its own right after the sync.
  const { problems: _, problemsAtMs: _at, problemsOmitted: _omitted, ...rest } = agent
  await tx.agents.update({
    ...rest,
    agentVersion: hello.agentVersion,
    driver: hello.driver,
    epoch: hello.epoch,
    lastSeenAtMs: env.clock.now(),
  })
}

/** The agent, if it exists and is not revoked: only such an agent may book usage or report state. */
export async function requireLiveAgent(tx: Tx, id: string): Promise<Agent> {
  const agent = await tx.agents.get(id)
  if (!agent || agent.revokedAtMs !== undefined) {
    throw new Refusal('agent_revoked', `agent ${id} is unknown or revoked`)
  }
  return agent
}

/** Each write serialises the store; "last seen" only needs to be about right, so it is written rarely. */
export const LAST_SEEN_WRITE_INTERVAL_MS = 30_000

/** Records that the agent was heard from, unless that was recorded less than 30 s ago. */
export async function touchAgent(tx: Tx, env: DomainEnv, agent: Agent): Promise<void> {
  const now = env.clock.now()
  if (agent.lastSeenAtMs !== undefined && now - agent.lastSeenAtMs < LAST_SEEN_WRITE_INTERVAL_MS) return
  await tx.agents.update({ ...agent, lastSeenAtMs: now })
}
