/** Suspending, resuming and deleting a subscriber from the UI, through the domain calls the API makes. */
import type { Hono } from 'hono'
import { SuspendSubscriber } from '../api/contact-schemas.js'
import { idParam } from '../api/validate.js'
import { requireLive } from '../domain/live-subscriber.js'
import { notFound } from '../domain/refusal.js'
import { deleteSubscriber } from '../domain/subscriber-deletion.js'
import { resumeSubscriber, suspendSubscriber } from '../domain/suspension.js'
import type { Subscriber } from '../store/entities.js'
import { formAction } from '../ui/form-action.js'
import { FormCheck, textMessage } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { ActionForm } from '../ui/forms.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { type Frame, frame, type OperatorKit } from './operator-kit.js'
import { subscriberPath } from './subscriber-path.js'

export function subscriberLifecycleRoutes(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps

  ui.post('/subscribers/:id/suspend', kit.action('lifecycle'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const form = await readForm(c)
      const check = new FormCheck()
      const { reason } = check.done(
        check.schema(
          SuspendSubscriber,
          { reason: form.reason ?? '' },
          { reason: textMessage('Say why the subscriber is suspended.', 200) },
          { reason: 'Reason' },
        ),
      )
      const { subscriber } = await store.transact((tx) =>
        suspendSubscriber(tx, env, c.var.actor, idParam(c), reason),
      )
      return { message: `${subscriber.name} is suspended: blocked until resumed.` }
    }),
  )

  ui.post('/subscribers/:id/resume', kit.action('lifecycle'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const { subscriber } = await store.transact((tx) => resumeSubscriber(tx, env, c.var.actor, idParam(c)))
      return { message: `${subscriber.name} is resumed: the normal limit applies again.` }
    }),
  )

  ui.get('/subscribers/:id/delete', kit.pageFor('lifecycle'), async (c) => {
    const id = idParam(c)
    const sub = await store.peek((tx) => tx.subscribers.get(id))
    if (!sub) throw notFound('subscriber', id)
    requireLive(sub)
    return c.html(<DeleteSubscriberPage frame={frame(c)} sub={sub} />)
  })

  ui.post('/subscribers/:id/delete', kit.action('lifecycle'), (c) =>
    formAction(c, 'operator', subscriberPath(c), async () => {
      const sub = await store.transact((tx) => deleteSubscriber(tx, env, c.var.actor, idParam(c)))
      return { to: '/subscribers', message: `Subscriber ${sub.name} deleted.` }
    }),
  )
}

/** What deleting does on the router: a subscriber known by login has no address to give away. */
const offRouter = (sub: Subscriber) =>
  sub.address === undefined
    ? "Its rules are removed from its router at the agent's next sync."
    : `${sub.address} is removed from its router at the agent's next sync, and may then be given to someone else.`

function DeleteSubscriberPage({ frame: f, sub }: { frame: Frame; sub: Subscriber }) {
  const base = `/subscribers/${encodeURIComponent(sub.id)}`
  return (
    <OperatorPage {...f} title={`Delete ${sub.name}`} section="subscribers">
      <h1>Delete subscriber "{sub.name}"?</h1>
      <p>
        {`${offRouter(sub)} The login "${sub.login}" stops working in the portal at once. The subscriber ` +
          'leaves the lists and cannot be edited, topped up or paid for again.'}
      </p>
      <p>
        Its usage, top-ups, invoices, payments and ledger are kept. After the retention period its name,
        login, e-mail, phone, postal address and notes are erased; the money records stay.
      </p>
      <div class="actions">
        <ActionForm action={`${base}/delete`} csrf={f.csrf} submit="Delete subscriber" kind="danger" />
        <a class="button secondary" href={base}>
          Cancel
        </a>
      </div>
    </OperatorPage>
  )
}
