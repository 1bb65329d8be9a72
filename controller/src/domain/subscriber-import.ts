/**
 * Bulk import of subscribers keyed by login: each row creates a subscriber, updates the one with
 * that login, or leaves it as it is, through the same domain calls (and checks) as one create or
 * edit. Rows run in file order inside the caller's transaction; a refused row changes nothing, so
 * later rows are checked against the rows accepted before them.
 */
import { type BillingDay, parseIpPrefix } from '@capd/protocol'
import type { Agent, Plan, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { Actor, DomainEnv } from './env.js'
import { type FieldProblem, Refusal } from './refusal.js'
import { createSubscriber, type SubscriberChanges, updateSubscriber } from './subscribers.js'

/** One row, already valid field by field (see api/subscriber-import-schemas.ts). */
export interface ImportRow {
  /** Where the row came from (a file's line), for the report; absent = its position, from 1. */
  line?: number
  login: string
  name: string
  email?: string
  phone?: string
  postalAddress?: string
  notes?: string
  /**
   * Already canonical and allowed (see parseSubscriberAddress). Absent: a new subscriber is known by
   * its login; an existing one keeps its address (an import never removes one).
   */
  address?: string
  /** A plan on offer, by name (case and surrounding spaces aside). */
  plan: string
  /** An agent by id, or by name (case and surrounding spaces aside). */
  agent: string
  /** Absent: 1 for a new subscriber, unchanged for an existing one. */
  billingDay?: BillingDay
}

/** A field's value before and after, as the import names it (plan and agent by name). */
export interface FieldChange {
  field: string
  from: string | number | null
  to: string | number | null
}

export type RowOutcome =
  | { outcome: 'create' }
  | { outcome: 'update'; changes: FieldChange[] }
  | { outcome: 'unchanged' }
  | { outcome: 'refused'; problems: FieldProblem[] }

/** The fields an import may set, as the subscriber row names them, in report order. */
const FIELDS = [
  ['name', 'name'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['postalAddress', 'postalAddress'],
  ['notes', 'notes'],
  ['plan', 'planId'],
  ['agent', 'agentId'],
  ['address', 'address'],
  ['billingDay', 'billingDay'],
] as const satisfies readonly (readonly [string, keyof Subscriber])[]

/**
 * Runs every row in `tx`; the caller decides whether to keep what they did. A row whose address
 * is still held by a subscriber that another row of the file moves is tried again once that row
 * has moved it, so a renumbering imports in any row order (a swap of two addresses cannot: it
 * goes through a free address in two imports).
 */
export async function importSubscribers(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  rows: readonly ImportRow[],
): Promise<RowOutcome[]> {
  const catalog = new Catalog(await tx.plans.list(), await tx.agents.list())
  const labels = rows.map((row, index) => (row.line === undefined ? `row ${index + 1}` : `line ${row.line}`))
  /** The row each login and each subscriber written so far came from, for messages about them. */
  const loginRows = new Map<string, string>()
  const subscriberRows = new Map<string, string>()
  const outcomes: (RowOutcome | undefined)[] = []
  const refusals = new Map<number, Refusal>()
  for (const [index, row] of rows.entries()) {
    const earlier = loginRows.get(row.login.toLowerCase())
    if (earlier === undefined) loginRows.set(row.login.toLowerCase(), labels[index]!)
    else
      refusals.set(
        index,
        problem('login', `login "${row.login}" is also on ${earlier}; each login once per file`),
      )
  }
  const duplicates = new Set(refusals.keys())
  /** Rows refused for an address a subscriber of the file holds, by that subscriber's id. */
  const waiting = new Map<string, number[]>()
  /** Rows to try again (their address was freed), before the next row of the file. */
  const again: number[] = []
  let next = 0
  for (;;) {
    const index = again.pop() ?? next++
    if (index >= rows.length) break
    const row = rows[index]!
    if (duplicates.has(index)) continue
    try {
      outcomes[index] = await importRow(tx, env, actor, catalog, row, (id) => {
        subscriberRows.set(id, labels[index]!)
        again.push(...(waiting.get(id) ?? []))
        waiting.delete(id)
      })
      refusals.delete(index)
    } catch (err) {
      if (!(err instanceof Refusal)) throw err
      refusals.set(index, err)
      const holder = (await addressHolder(tx, catalog, row, err))?.other
      if (holder && loginRows.has(holder.login.toLowerCase())) {
        waiting.set(holder.id, [...(waiting.get(holder.id) ?? []), index])
      }
    }
  }
  for (const [index, err] of refusals) {
    outcomes[index] = {
      outcome: 'refused',
      problems: await explain(tx, catalog, rows[index]!, err, subscriberRows),
    }
  }
  return outcomes as RowOutcome[]
}

async function importRow(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  catalog: Catalog,
  row: ImportRow,
  wrote: (subscriberId: string) => void,
): Promise<RowOutcome> {
  const planId = catalog.planId(row.plan)
  const agentId = catalog.agentId(row.agent)
  const existing = await tx.subscribers.byLogin(row.login)
  const { line: _line, plan: _plan, agent: _agent, billingDay, ...contact } = row
  if (!existing) {
    const created = await createSubscriber(
      tx,
      env,
      actor,
      { ...contact, planId, agentId, billingDay: billingDay ?? 1 },
      undefined,
    )
    wrote(created.id)
    return { outcome: 'create' }
  }
  const { login: _login, ...fields } = contact
  const changes: SubscriberChanges = {
    ...fields,
    planId,
    agentId,
    ...(billingDay === undefined ? {} : { billingDay }),
  }
  const { subscriber, subscriberIds } = await updateSubscriber(tx, env, actor, existing.id, changes)
  const changed = FIELDS.filter(([, key]) => existing[key] !== subscriber[key]).map(([field, key]) => ({
    field,
    from: catalog.shown(key, existing[key]),
    to: catalog.shown(key, subscriber[key]),
  }))
  if (changed.length === 0 && subscriberIds.length === 0) return { outcome: 'unchanged' }
  wrote(existing.id)
  return { outcome: 'update', changes: changed }
}

/**
 * The refusal's problems in the import's words: `plan` and `agent` for the ids the domain names,
 * and an address clash naming the other subscriber by login, its line if it came from this file,
 * and the agent by name.
 */
async function explain(
  tx: Tx,
  catalog: Catalog,
  row: ImportRow,
  err: Refusal,
  subscriberRows: ReadonlyMap<string, string>,
): Promise<FieldProblem[]> {
  // A refusal about the subscriber as a whole (deleted) is about the row's login.
  const details = err.details ?? [{ path: 'login', message: err.message }]
  const out: FieldProblem[] = []
  for (const d of details) {
    const path = d.path === 'planId' ? 'plan' : d.path === 'agentId' ? 'agent' : d.path
    const clash = path === 'address' ? await addressHolder(tx, catalog, row, err) : undefined
    if (clash) {
      const { other, address } = clash
      const from = subscriberRows.get(other.id)
      const agent = catalog.agentName(other.agentId)
      const whose = `subscriber "${other.login}"${from ? ` (${from})` : ''} on agent "${agent}"`
      const message =
        other.address === address
          ? `address ${address} already belongs to ${whose}`
          : `address ${address} overlaps ${other.address} of ${whose}`
      out.push({ path, message })
      continue
    }
    out.push({ path, message: path === d.path ? d.message : d.message.replace(/^"[^"]*" /, `${path} $&`) })
  }
  return out
}

/**
 * The subscriber whose address the row's clashes with, when that is why it was refused, and the
 * row's address (its own, or the one the existing subscriber keeps when the row gives none).
 */
async function addressHolder(
  tx: Tx,
  catalog: Catalog,
  row: ImportRow,
  err: Refusal,
): Promise<{ other: Subscriber; address: string } | undefined> {
  if (err.code !== 'conflict' || err.details?.[0]?.path !== 'address') return undefined
  // A row without an address keeps the existing one: a move to another agent may clash with it.
  const self = await tx.subscribers.byLogin(row.login)
  const address = row.address ?? self?.address
  if (address === undefined) return undefined
  const other = await tx.subscribers.overlappingAddress(
    catalog.agentId(row.agent),
    parseIpPrefix(address),
    self?.id,
  )
  return other && { other, address }
}

const problem = (path: string, message: string) =>
  new Refusal('invalid_request', message, [{ path, message }])

/** Plans and agents by the names an import gives them. */
class Catalog {
  private readonly plansByName = new Map<string, Plan[]>()
  private readonly agentsById: Map<string, Agent>
  private readonly agentsByName = new Map<string, Agent[]>()
  private readonly planNames: Map<string, string>

  constructor(plans: readonly Plan[], agents: readonly Agent[]) {
    for (const plan of plans) push(this.plansByName, fold(plan.name), plan)
    for (const agent of agents) push(this.agentsByName, fold(agent.name), agent)
    this.agentsById = new Map(agents.map((a) => [a.id, a]))
    this.planNames = new Map(plans.map((p) => [p.id, p.name]))
  }

  /** The plan on offer with this name; a retired one is refused as the domain refuses it. */
  planId(name: string): string {
    const named = this.plansByName.get(fold(name)) ?? []
    const offered = named.filter((p) => p.retiredAtMs === undefined)
    if (offered.length === 1) return offered[0]!.id
    if (offered.length > 1) {
      throw problem('plan', `plan "${name}" names ${offered.length} plans on offer; rename all but one`)
    }
    if (named.length > 0) throw problem('plan', `plan "${name}" is retired`)
    throw problem('plan', `no plan is named "${name}"`)
  }

  /** The agent with this id, or else the one not revoked with this name. */
  agentId(idOrName: string): string {
    if (this.agentsById.has(idOrName)) return idOrName
    const named = (this.agentsByName.get(fold(idOrName)) ?? []).filter((a) => a.revokedAtMs === undefined)
    if (named.length === 1) return named[0]!.id
    if (named.length > 1) {
      throw problem('agent', `agent "${idOrName}" names ${named.length} agents; give the agent's id`)
    }
    throw problem('agent', `no agent is named "${idOrName}" (or it is revoked)`)
  }

  agentName(id: string): string {
    return this.agentsById.get(id)?.name ?? id
  }

  /** A field's value for the report: plans and agents by name, an absent value as null. */
  shown(key: keyof Subscriber, value: unknown): string | number | null {
    if (value === undefined) return null
    if (key === 'planId') return this.planNames.get(value as string) ?? (value as string)
    if (key === 'agentId') return this.agentName(value as string)
    return value as string | number
  }
}

const fold = (name: string) => name.trim().toLowerCase()

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
