/** Routes of Settings → Webhooks (admins only): list, add, enable/disable, new secret, delete, send a test. */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { clientRefusal } from '../api/refusal-status.js'
import { idempotent, requestHash, type StoredResponse } from '../domain/idempotency.js'
import { Refusal } from '../domain/refusal.js'
import {
  addWebhookEndpoint,
  changeWebhookEndpoint,
  deleteWebhookEndpoint,
  existingEndpoint,
  lastWebhookDeliveries,
  rotateWebhookSecret,
  WEBHOOK_DESCRIPTION_MAX,
} from '../notify/webhook-endpoints.js'
import { sendTestWebhook } from '../notify/webhook-sender.js'
import { NOTIFICATION_EVENTS, type WebhookEndpoint } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { setFlash } from '../ui/flash.js'
import { formAction, refused } from '../ui/form-action.js'
import { FormCheck, textMessage } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { fieldError, fieldErrorsOf } from '../ui/form-refusal.js'
import { checkbox, idempotencyKeyField } from '../ui/form-values.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'
import {
  ALL_EVENTS_FIELD,
  ConfirmWebhookPage,
  eventField,
  type RevealedSecret,
  WebhooksPage,
} from './webhook-views.js'

const BACK = '/settings/webhooks'

const AddForm = z.strictObject({
  url: z.string().trim().min(1),
  description: z.string().max(WEBHOOK_DESCRIPTION_MAX),
})

export function webhookPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  const act = kit.action('settings')

  const page = async (c: Context<OperatorEnv>, revealed?: RevealedSecret) => {
    const { rows, nowMs } = await store.peek(async (tx) => {
      const last = await lastWebhookDeliveries(tx)
      const endpoints = await tx.webhookEndpoints.list()
      return {
        rows: endpoints.map((endpoint) => ({ endpoint, last: last.get(endpoint.id) })),
        nowMs: env.clock.now(),
      }
    })
    return c.html(
      <WebhooksPage
        frame={frame(c)}
        rows={rows}
        nowMs={nowMs}
        timeZone={env.timeZone}
        {...(revealed ? { revealed } : {})}
      />,
    )
  }

  ui.get(BACK, kit.pageFor('settings'), (c) => page(c))

  // The secret is answered with the page itself, not a redirect, so it never rides in a flash cookie;
  // html-policy's Cache-Control: no-store keeps it out of caches. The form acts once: resending the
  // answer adds no second endpoint, and is told the secret was shown then.
  ui.post(BACK, act, async (c) => {
    let added: WebhookEndpoint | undefined
    try {
      const form = await readForm(c)
      const key = idempotencyKeyField(form)
      const input = checkedAddForm(form)
      const sent = await once(c, key, input, async (tx) => {
        added = await addWebhookEndpoint(tx, env, c.var.actor, input)
        return { status: 201, body: { id: added.id } }
      })
      if (sent.replayed) return resent(c, `This form was already sent: ${input.url} was added then.`)
    } catch (err) {
      return refusedForm(c, err)
    }
    return page(c, { endpoint: added!, rotated: false })
  })

  ui.get('/settings/webhooks/:id/:action{delete|secret}', kit.pageFor('settings'), async (c) => {
    const endpoint = await store.peek((tx) => existingEndpoint(tx, c.req.param('id')))
    const action = c.req.param('action') === 'delete' ? 'delete' : 'secret'
    return c.html(<ConfirmWebhookPage frame={frame(c)} endpoint={endpoint} action={action} />)
  })

  ui.post('/settings/webhooks/:id/secret', act, async (c) => {
    const id = c.req.param('id')
    let rotated: WebhookEndpoint | undefined
    try {
      const key = idempotencyKeyField(await readForm(c))
      const sent = await once(c, key, { id }, async (tx) => {
        rotated = await rotateWebhookSecret(tx, env, c.var.actor, id)
        return { status: 200, body: { id } }
      })
      if (sent.replayed) return resent(c, 'This form was already sent: the endpoint got its new secret then.')
    } catch (err) {
      return refusedForm(c, err)
    }
    return page(c, { endpoint: rotated!, rotated: true })
  })

  ui.post('/settings/webhooks/:id/delete', act, (c) =>
    formAction(c, 'operator', BACK, async () => {
      const e = await store.transact((tx) => deleteWebhookEndpoint(tx, env, c.var.actor, c.req.param('id')))
      return { message: `Endpoint ${e.url} deleted.` }
    }),
  )

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    ui.post(`/settings/webhooks/:id/${action}`, act, (c) =>
      formAction(c, 'operator', BACK, async () => {
        const id = c.req.param('id')
        const e = await store.transact((tx) => changeWebhookEndpoint(tx, env, c.var.actor, id, { enabled }))
        return {
          message: enabled
            ? `Endpoint ${e.url} enabled: it receives the events from now on.`
            : `Endpoint ${e.url} disabled: it receives nothing until enabled again.`,
        }
      }),
    )
  }

  ui.post('/settings/webhooks/:id/test', act, (c) =>
    formAction(c, 'operator', BACK, async () => {
      const endpoint = await store.peek((tx) => existingEndpoint(tx, c.req.param('id')))
      const answer = await sendTestWebhook(endpoint, { clock: env.clock })
      if (answer.ok) {
        return {
          message: `Test sent to ${endpoint.url}: it answered HTTP ${answer.status} in ${answer.tookMs} ms.`,
        }
      }
      // Not the operator's typing but the receiver's answer: a refusal shows it as the page's error.
      throw new Refusal('invalid_request', `Test to ${endpoint.url} not delivered: ${answer.error}`)
    }),
  )

  /** runOnce's records (see ui/form-once.ts), telling a resend apart: its secret is not shown again. */
  function once(
    c: Context<OperatorEnv>,
    key: string,
    input: unknown,
    run: (tx: Tx) => Promise<StoredResponse>,
  ) {
    const hash = requestHash(`${c.req.method} ${c.req.path}`, input)
    return store.transact((tx) => idempotent(tx, env, `${c.var.actor}|${key}`, hash, () => run(tx)))
  }

  function resent(c: Context<OperatorEnv>, what: string) {
    const text = `${what} Its secret was shown only then; if it is lost, give the endpoint a new secret.`
    setFlash(c, 'operator', { kind: 'error', text })
    return c.redirect(BACK, 303)
  }

  function refusedForm(c: Context<OperatorEnv>, err: unknown) {
    const refusal = clientRefusal(err)
    if (!refusal) throw err
    return refused(c, 'operator', BACK, refusal, fieldErrorsOf(err))
  }
}

/** The add form's fields, each problem named beside its field. */
function checkedAddForm(form: Record<string, string>) {
  const check = new FormCheck()
  const all = checkbox(form, ALL_EVENTS_FIELD)
  const events = NOTIFICATION_EVENTS.filter((e) => checkbox(form, eventField(e)))
  if (!all && events.length === 0) {
    check.add(fieldError(ALL_EVENTS_FIELD, 'Events', 'Tick All events, or the events it should receive.'))
  }
  const fields = check.schema(
    AddForm,
    { url: form.url ?? '', description: form.description ?? '' },
    {
      url: 'Enter the URL capd should POST to.',
      description: textMessage('', WEBHOOK_DESCRIPTION_MAX),
    },
    { url: 'URL', description: 'Description' },
  )
  const { url, description } = check.done(fields)
  return { url, description, events: all ? [] : events }
}
