/** Agents: enrol (the token is shown once), revoke, list with their connection state, read with their usage anomalies. */
import { heldBackProblemsOf } from '../domain/agent-capabilities.js'
import { enrolAgent, revokeAgent } from '../domain/agents.js'
import { notFound } from '../domain/refusal.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { CreateAgent } from './schemas.js'
import { idParam, readJson } from './validate.js'
import { agentView, anomalyView } from './views.js'

export function agentRoutes(
  r: DocumentedRouter,
  { store, env, isAgentConnected, agentRevoked }: ApiDeps,
): void {
  r.add(
    {
      method: 'post',
      path: '/agents',
      summary: 'Enrol an agent; the token is shown only here',
      body: CreateAgent,
      status: 201,
    },
    async (c) => {
      const { name } = await readJson(c, CreateAgent)
      const { agent, token } = await store.transact((tx) => enrolAgent(tx, env, c.var.actor, name))
      return c.json({ ...agentView(agent, false), token }, 201)
    },
  )
  r.add({ method: 'get', path: '/agents', summary: 'List agents', status: 200 }, async (c) => {
    const items = await store.transact(async (tx) => {
      const views = []
      for (const a of await tx.agents.list())
        views.push(agentView(a, isAgentConnected(a.id), await heldBackProblemsOf(tx, a)))
      return views
    })
    return c.json({ items })
  })
  r.add({ method: 'get', path: '/agents/:id', summary: 'Read an agent', status: 200 }, async (c) => {
    const id = idParam(c)
    const { agent, anomalies, heldBack } = await store.transact(async (tx) => {
      const agent = await tx.agents.get(id)
      return {
        agent,
        anomalies: await tx.usageAnomalies.forAgent(id),
        heldBack: agent ? await heldBackProblemsOf(tx, agent) : [],
      }
    })
    if (!agent) throw notFound('agent', id)
    return c.json({
      ...agentView(agent, isAgentConnected(agent.id), heldBack),
      anomalies: anomalies.map(anomalyView),
    })
  })
  r.add(
    {
      method: 'post',
      path: '/agents/:id/revoke',
      summary: 'Revoke an agent: its token stops working and its connection is closed',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const agent = await store.transact((tx) => revokeAgent(tx, env, c.var.actor, id))
      agentRevoked?.(id)
      return c.json(agentView(agent, false))
    },
  )
}
