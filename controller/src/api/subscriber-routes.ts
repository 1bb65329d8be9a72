/** Subscribers: create, edit, read with usage and state, search and page through. */

import { notFound } from '../domain/refusal.js'
import { createSubscriber, preparePassword, updateSubscriber } from '../domain/subscribers.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { CreateSubscriber, SubscriberListQuery } from './schemas.js'
import { subscriberImportRoute } from './subscriber-import-route.js'
import { UpdateSubscriber } from './subscriber-schemas.js'
import { loadSubscriberView } from './subscriber-view.js'
import { idParam, readJson, readQuery } from './validate.js'

export function subscriberRoutes(r: DocumentedRouter, deps: ApiDeps): void {
  const { store, env } = deps
  r.add(
    {
      method: 'post',
      path: '/subscribers',
      summary: 'Create a subscriber',
      body: CreateSubscriber,
      status: 201,
    },
    async (c) => {
      const input = await readJson(c, CreateSubscriber)
      const passwordHash = await preparePassword(input.password)
      const view = await store.transact(async (tx) => {
        const sub = await createSubscriber(tx, env, c.var.actor, input, passwordHash)
        return loadSubscriberView(tx, env, sub)
      })
      return c.json(view, 201)
    },
  )
  subscriberImportRoute(r, deps)
  r.add(
    {
      method: 'patch',
      path: '/subscribers/:id',
      summary:
        'Edit a subscriber (not its login): a new plan, agent, address or billing day reaches the agents at once',
      body: UpdateSubscriber,
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const { password, ...changes } = await readJson(c, UpdateSubscriber)
      const passwordHash = await preparePassword(password)
      const view = await store.transact(async (tx) => {
        const updated = await updateSubscriber(tx, env, c.var.actor, id, {
          ...changes,
          ...(passwordHash === undefined ? {} : { passwordHash }),
        })
        return loadSubscriberView(tx, env, updated.subscriber)
      })
      return c.json(view)
    },
  )
  r.add(
    {
      method: 'get',
      path: '/subscribers',
      summary: 'Search subscribers (q matches name, login, email, address), one page at a time',
      query: SubscriberListQuery,
      status: 200,
    },
    async (c) => {
      const { cursor, ...query } = readQuery(c, SubscriberListQuery)
      const page = await store.transact(async (tx) => {
        const found = await tx.subscribers.find({ ...query, ...(cursor ? { after: cursor } : {}) })
        const items = []
        for (const sub of found.items) items.push(await loadSubscriberView(tx, env, sub))
        return { items, nextCursor: found.nextCursor }
      })
      return c.json(page)
    },
  )
  r.add(
    {
      method: 'get',
      path: '/subscribers/:id',
      summary: 'Read a subscriber with usage and state',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const view = await store.transact(async (tx) => {
        const sub = await tx.subscribers.get(id)
        return sub && loadSubscriberView(tx, env, sub)
      })
      if (!view) throw notFound('subscriber', id)
      return c.json(view)
    },
  )
}
