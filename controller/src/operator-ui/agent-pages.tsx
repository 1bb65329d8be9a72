/** Operator pages for agents: enrol (token shown once), revoke, online state, last seen, version. */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { clientRefusal } from '../api/refusal-status.js'
import { CreateAgent } from '../api/schemas.js'
import { heldBackProblemsOf } from '../domain/agent-capabilities.js'
import { enrolAgent, revokeAgent } from '../domain/agents.js'
import { idempotent, requestHash } from '../domain/idempotency.js'
import { notFound } from '../domain/refusal.js'
import { setFlash } from '../ui/flash.js'
import { formAction, refused } from '../ui/form-action.js'
import { FormCheck, textMessage } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { fieldErrorsOf } from '../ui/form-refusal.js'
import { idempotencyKeyField } from '../ui/form-values.js'
import type { AnomalyRow } from './agent-anomalies.js'
import { AGENT_DRIVERS, agentConfigJson, controllerWsUrl } from './agent-config.js'
import type { SkippedRule } from './agent-problems-view.js'
import { type AgentRow, AgentsPage, type Enrolled, RevokeAgentPage } from './agent-views.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'

const EnrolForm = z.object({
  name: CreateAgent.shape.name,
  /** Which config to show; an older form without the field gets the nftables one. */
  driver: z.enum(AGENT_DRIVERS).default('nftables'),
})

export function agentPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env, isAgentConnected } = kit.deps

  async function anomalies(): Promise<AnomalyRow[]> {
    return store.peek(async (tx) => {
      const rows: AnomalyRow[] = []
      for (const agent of await tx.agents.list()) {
        for (const anomaly of await tx.usageAnomalies.forAgent(agent.id))
          rows.push({ agentName: agent.name, anomaly })
      }
      return rows.sort((a, b) => b.anomaly.lastAtMs - a.anomaly.lastAtMs)
    })
  }

  async function rows(): Promise<{ rows: AgentRow[]; problems: SkippedRule[]; problemsOmitted: number }> {
    return store.peek(async (tx) => {
      const counts = new Map<string, number>()
      for (const s of await tx.subscribers.list()) counts.set(s.agentId, (counts.get(s.agentId) ?? 0) + 1)
      const agents = await tx.agents.list()
      const problems: SkippedRule[] = []
      for (const agent of agents) {
        if (agent.revokedAtMs !== undefined) continue
        for (const problem of [...(agent.problems ?? []), ...(await heldBackProblemsOf(tx, agent))]) {
          const sub = await tx.subscribers.get(problem.subscriberId)
          problems.push({ ...problem, agentName: agent.name, ...(sub ? { subscriberName: sub.name } : {}) })
        }
      }
      return {
        rows: agents.map((agent) => ({
          agent,
          status:
            agent.revokedAtMs !== undefined ? 'revoked' : isAgentConnected(agent.id) ? 'online' : 'offline',
          subscribers: counts.get(agent.id) ?? 0,
        })),
        problems,
        problemsOmitted: agents.reduce((n, a) => n + (a.problemsOmitted ?? 0), 0),
      }
    })
  }

  const page = async (c: Context<OperatorEnv>, enrolled?: Enrolled) =>
    c.html(
      <AgentsPage
        frame={frame(c)}
        {...(await rows())}
        anomalies={await anomalies()}
        nowMs={env.clock.now()}
        timeZone={env.timeZone}
        {...(enrolled ? { enrolled } : {})}
      />,
    )

  ui.get('/agents', kit.page, (c) => page(c))

  // Answered with the page itself, not a redirect: the token exists only in this one answer (never
  // in a cookie, a flash or the store), and Cache-Control: no-store keeps it out of caches.
  // The form acts once per rendering: a reload of this answer resends the form, and must not enrol a
  // second agent. The idempotency record keeps only the agent's id; a resend is told the token was
  // shown once, never shown it again.
  ui.post('/agents', kit.action('agents'), async (c) => {
    let enrolled: Enrolled | undefined
    try {
      const form = await readForm(c)
      const key = idempotencyKeyField(form)
      const check = new FormCheck()
      const { name, driver } = check.done(
        check.schema(
          EnrolForm,
          { name: form.name, driver: form.driver || undefined },
          {
            name: textMessage('Enter a name for the agent.', 100),
            driver: 'Choose nftables, RouterOS or SNMP.',
          },
          { name: 'Agent name', driver: 'Router' },
        ),
      )
      const once = await store.transact((tx) =>
        idempotent(
          tx,
          env,
          `${c.var.actor}|${key}`,
          requestHash('POST /agents', { name, driver }),
          async () => {
            const { agent, token } = await enrolAgent(tx, env, c.var.actor, name)
            const controller = controllerWsUrl(c, env.publicUrl)
            enrolled = {
              agent,
              token,
              driver,
              controller,
              config: agentConfigJson(controller, token, driver),
            }
            return { status: 201, body: { agentId: agent.id } }
          },
        ),
      )
      if (once.replayed) {
        const text = `This form was already sent: agent "${name}" is enrolled, and its token was shown only then. If it is lost, revoke that agent and enrol a new one.`
        setFlash(c, 'operator', { kind: 'error', text })
        return c.redirect('/agents', 303)
      }
    } catch (err) {
      const refusal = clientRefusal(err)
      if (!refusal) throw err
      return refused(c, 'operator', '/agents', refusal, fieldErrorsOf(err))
    }
    kit.deps.changes?.publish({ kind: 'agents' })
    return page(c, enrolled!)
  })

  ui.get('/agents/:id/revoke', kit.pageFor('agents'), async (c) => {
    const id = c.req.param('id')
    const found = await store.peek(async (tx) => ({
      agent: await tx.agents.get(id),
      subscribers: (await tx.subscribers.forAgent(id)).length,
    }))
    if (!found.agent) throw notFound('agent', id)
    if (found.agent.revokedAtMs !== undefined) return c.redirect('/agents', 303)
    return c.html(<RevokeAgentPage frame={frame(c)} agent={found.agent} subscribers={found.subscribers} />)
  })

  ui.post('/agents/:id/revoke', kit.action('agents'), (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', '/agents', async () => {
      const agent = await store.transact((tx) => revokeAgent(tx, env, c.var.actor, id))
      kit.deps.agentRevoked?.(id)
      return { message: `Agent "${agent.name}" revoked: its token no longer works.` }
    })
  })
}
