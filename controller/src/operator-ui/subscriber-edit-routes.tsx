/** Adding and editing subscribers from the UI, through the domain calls the API makes. */
import type { Hono } from 'hono'
import { idParam } from '../api/validate.js'
import { createSubscriber, preparePassword, updateSubscriber } from '../domain/subscribers.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { runOnce } from '../ui/form-once.js'
import { idempotencyKeyField } from '../ui/form-values.js'
import { labelRefusals } from '../ui/refusal-labels.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'
import { loadSubscriberChoices } from './subscriber-choices.js'
import {
  EDIT_LABELS,
  newSubscriberFromForm,
  SUBSCRIBER_LABELS,
  subscriberChangesFromForm,
} from './subscriber-form-input.js'
import { NewSubscriberPage } from './subscriber-new-page.js'
import { subscriberPath } from './subscriber-path.js'

/** Registers `/subscribers/new`, so it must come before `/subscribers/:id`. */
export function subscriberEditRoutes(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { deps } = kit
  const { store, env } = deps

  ui.get('/subscribers/new', kit.pageFor('subscribers'), async (c) => {
    const choices = await store.peek((tx) => loadSubscriberChoices(tx))
    return c.html(<NewSubscriberPage frame={frame(c)} choices={choices} />)
  })

  ui.post('/subscribers', kit.action('subscribers'), (c) =>
    formAction(c, 'operator', '/subscribers/new', async () => {
      const form = await readForm(c)
      const key = idempotencyKeyField(form)
      const input = newSubscriberFromForm(form)
      // Hashing is slow: done before the transaction, and again (harmlessly) for a resent form.
      const passwordHash = await preparePassword(input.password)
      // The request's hash is kept with the key: it says whether a password was given, not which.
      const { password, ...described } = input
      const answer = await labelRefusals(SUBSCRIBER_LABELS, () =>
        runOnce(c, deps, key, { ...described, password: password !== undefined }, async (tx) => {
          const sub = await createSubscriber(tx, env, c.var.actor, input, passwordHash)
          return { status: 201, body: { id: sub.id, name: sub.name } }
        }),
      )
      const created = answer.body as { id: string; name: string }
      return {
        to: `/subscribers/${encodeURIComponent(created.id)}`,
        message: `Subscriber ${created.name} created.`,
      }
    }),
  )

  ui.post('/subscribers/:id', kit.action('subscribers'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const id = idParam(c)
      const { changes, password } = subscriberChangesFromForm(await readForm(c))
      const passwordHash = await preparePassword(password)
      await labelRefusals(EDIT_LABELS, () =>
        store.transact((tx) =>
          updateSubscriber(tx, env, c.var.actor, id, {
            ...changes,
            ...(passwordHash === undefined ? {} : { passwordHash }),
          }),
        ),
      )
      return { message: 'Subscriber saved.' }
    }),
  )
}
