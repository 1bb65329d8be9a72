/** Suspend, resume and delete a subscriber; each is absolute, so a repeated request is safe. */
import { deleteSubscriber } from '../domain/subscriber-deletion.js'
import { resumeSubscriber, suspendSubscriber } from '../domain/suspension.js'
import type { ApiDeps } from './app-env.js'
import { SuspendSubscriber } from './contact-schemas.js'
import type { DocumentedRouter } from './router.js'
import { loadSubscriberView } from './subscriber-view.js'
import { idParam, readJson } from './validate.js'

export function subscriberLifecycleRoutes(r: DocumentedRouter, { store, env }: ApiDeps): void {
  r.add(
    {
      method: 'post',
      path: '/subscribers/:id/suspend',
      summary:
        'Suspend a subscriber with a reason the customer sees: blocked whatever the allowance until resumed; the same reason again changes nothing',
      body: SuspendSubscriber,
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const { reason } = await readJson(c, SuspendSubscriber)
      const view = await store.transact(async (tx) => {
        const { subscriber } = await suspendSubscriber(tx, env, c.var.actor, id, reason)
        return loadSubscriberView(tx, env, subscriber)
      })
      return c.json(view)
    },
  )
  r.add(
    {
      method: 'post',
      path: '/subscribers/:id/resume',
      summary:
        'Resume a suspended subscriber: its normal limit reaches the agent at once; resuming an active one changes nothing',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const view = await store.transact(async (tx) => {
        const { subscriber } = await resumeSubscriber(tx, env, c.var.actor, id)
        return loadSubscriberView(tx, env, subscriber)
      })
      return c.json(view)
    },
  )
  r.add(
    {
      method: 'delete',
      path: '/subscribers/:id',
      summary:
        'Delete a subscriber: off its agent, the portal, lists and address checks; its books stay. A deleted one answers 409 deleted',
      status: 200,
    },
    async (c) => {
      const id = idParam(c)
      const view = await store.transact(async (tx) =>
        loadSubscriberView(tx, env, await deleteSubscriber(tx, env, c.var.actor, id)),
      )
      return c.json(view)
    },
  )
}
