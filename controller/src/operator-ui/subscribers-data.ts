/** One page of the subscriber list: the search, each row's plan and usage, and the cursor to the next page. */
import { z } from 'zod'
import { parseInput } from '../api/validate.js'
import type { DomainEnv } from '../domain/env.js'
import type { Plan, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { periodFinder, type UsageFigures, usageFigures } from './usage-figures.js'

export const PAGE_SIZE = 50

/** An empty field in a GET form means "any": the form always sends every field. */
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v)

export const SubscriberSearch = z.object({
  q: z.preprocess(blankToUndefined, z.string().trim().max(100, 'must be at most 100 characters').optional()),
  state: z.preprocess(blankToUndefined, z.enum(['open', 'blocked', 'throttled']).optional()),
  /** `deleted` lists the deleted subscribers instead of the current ones. */
  show: z.preprocess(blankToUndefined, z.enum(['deleted']).optional()),
  after: z.preprocess(blankToUndefined, z.string().max(64).optional()),
})
export type SubscriberSearch = z.infer<typeof SubscriberSearch>

export interface SubscriberRow {
  sub: Subscriber
  plan: Plan | undefined
  usage: UsageFigures | undefined
}

export interface SubscriberListData {
  search: SubscriberSearch
  rows: SubscriberRow[]
  nextCursor: string | null
}

/** A bad query (an unknown state, say) is a 400 naming the parameter. */
export const readSearch = (query: Record<string, string>) => parseInput(SubscriberSearch, query)

export async function loadSubscriberList(
  tx: Tx,
  env: DomainEnv,
  search: SubscriberSearch,
): Promise<SubscriberListData> {
  const { show, ...query } = search
  const page = await tx.subscribers.find({ ...query, deleted: show === 'deleted', limit: PAGE_SIZE })
  const nowMs = env.clock.now()
  const periodOf = periodFinder(nowMs, env.timeZone)
  const plans = new Map((await tx.plans.list()).map((p) => [p.id, p]))
  const rows: SubscriberRow[] = []
  for (const sub of page.items) {
    const plan = plans.get(sub.planId)
    const topUps = await tx.topUps.forSubscriber(sub.id)
    rows.push({ sub, plan, usage: plan && usageFigures(sub, plan, topUps, periodOf(sub), nowMs) })
  }
  return { search, rows, nextCursor: page.nextCursor }
}

/** The list's URL with this search, from `after` on. */
export function listUrl(search: SubscriberSearch, after?: string): string {
  const params = new URLSearchParams()
  if (search.q) params.set('q', search.q)
  if (search.state) params.set('state', search.state)
  if (search.show) params.set('show', search.show)
  if (after) params.set('after', after)
  const query = params.toString()
  return query ? `/subscribers?${query}` : '/subscribers'
}
