/** Settings → Webhooks: the endpoints with their latest delivery, the add form, the secret shown once, and the confirmations. */
import { type Delivery, NOTIFICATION_EVENTS, type WebhookEndpoint } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { ago, dateTime } from '../ui/format.js'
import { ActionForm, Checkbox, Field } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import { OperatorPage } from './layout.js'
import type { Frame } from './operator-kit.js'

/** The add form's field names: one checkbox per event (a form sends one value per name). */
export const ALL_EVENTS_FIELD = 'allEvents'
export const eventField = (event: string) => `event.${event}`

export interface WebhookRow {
  endpoint: WebhookEndpoint
  last?: Delivery | undefined
}

/** A secret in the answer to the action that made it: not stored in a cookie, not shown again. */
export interface RevealedSecret {
  endpoint: WebhookEndpoint
  rotated: boolean
}

export interface WebhooksPageProps {
  frame: Frame
  rows: readonly WebhookRow[]
  nowMs: number
  timeZone: string
  revealed?: RevealedSecret
}

export function WebhooksPage(p: WebhooksPageProps) {
  return (
    <OperatorPage {...p.frame} title="Webhooks" section="settings">
      <h1>Webhooks</h1>
      <p class="hint">
        capd POSTs each event as JSON to these URLs, signed with the endpoint's secret in the{' '}
        <code>X-Capd-Signature</code> header. A receiver that does not answer 2xx is tried again with growing
        pauses for 24 hours.
      </p>
      {p.revealed ? <Secret {...p.revealed} /> : null}
      <section class="card" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        <div class="table-wrap">
          <EndpointTable {...p} />
        </div>
      </section>
      <AddForm csrf={p.frame.csrf} />
    </OperatorPage>
  )
}

function Secret({ endpoint, rotated }: RevealedSecret) {
  return (
    <section class="card enrolled" aria-labelledby="secret-title">
      <h2 id="secret-title">
        {rotated ? 'New signing secret of' : 'Endpoint added:'} {endpoint.url}
      </h2>
      <p class="notice pending" role="status">
        Copy the secret into the receiver now: this page is the only time capd shows it.
        {rotated ? ' The old secret no longer signs anything.' : ''} If it is lost, give the endpoint a new
        secret.
      </p>
      <p id="webhook-secret" class="secret">
        {endpoint.secret}
      </p>
    </section>
  )
}

function EndpointTable(p: WebhooksPageProps) {
  const csrf = p.frame.csrf
  return (
    <DataTable
      rows={p.rows}
      labelledBy="endpoints-title"
      wrap={false}
      empty="No webhook endpoints yet. Add the first one below."
      columns={[
        {
          header: 'URL',
          cell: ({ endpoint: e }) => (
            <>
              <code>{e.url}</code>
              {e.description ? <p class="hint">{e.description}</p> : null}
            </>
          ),
        },
        {
          header: 'Events',
          cell: ({ endpoint: e }) => (e.events.length === 0 ? 'All' : e.events.join(', ')),
        },
        { header: 'Enabled', cell: ({ endpoint: e }) => (e.enabled ? 'Yes' : 'No') },
        {
          header: 'Last delivery',
          cell: (r) => <LastDelivery last={r.last} nowMs={p.nowMs} timeZone={p.timeZone} />,
        },
        {
          header: 'Actions',
          cell: ({ endpoint: e }) => (
            <div class="actions">
              <ActionForm
                action={`/settings/webhooks/${e.id}/test`}
                csrf={csrf}
                submit="Send test"
                submitLabel={`Send a test to ${e.url}`}
                kind="secondary"
              />
              <ActionForm
                action={`/settings/webhooks/${e.id}/${e.enabled ? 'disable' : 'enable'}`}
                csrf={csrf}
                submit={e.enabled ? 'Disable' : 'Enable'}
                submitLabel={`${e.enabled ? 'Disable' : 'Enable'} ${e.url}`}
                kind="secondary"
              />
              <a
                class="button secondary"
                href={`/settings/webhooks/${e.id}/secret`}
                aria-label={`New secret for ${e.url}`}
              >
                New secret
              </a>
              <a
                class="button danger"
                href={`/settings/webhooks/${e.id}/delete`}
                aria-label={`Delete ${e.url}`}
              >
                Delete
              </a>
            </div>
          ),
        },
      ]}
    />
  )
}

function LastDelivery(p: { last: Delivery | undefined; nowMs: number; timeZone: string }) {
  const d = p.last
  if (!d) return 'None yet'
  const atMs = d.sentAtMs ?? d.lastAttemptAtMs ?? d.createdAtMs
  const when = (
    <time datetime={new Date(atMs).toISOString()} title={dateTime(atMs, p.timeZone)}>
      {ago(atMs, p.nowMs)}
    </time>
  )
  const tries = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`
  if (d.status === 'sent')
    return (
      <>
        Sent ({d.providerRef ?? 'ok'}), {when}
      </>
    )
  if (d.status === 'failed')
    return (
      <>
        Failed after {tries}, {when}: {d.lastError ?? ''}
      </>
    )
  if (d.lastError)
    return (
      <>
        Retrying ({tries} so far), {when}: {d.lastError}
      </>
    )
  return (
    <>
      Sending {d.event}, {when}
    </>
  )
}

function AddForm({ csrf }: { csrf: string }) {
  return (
    <NamedForm
      id="add-webhook"
      title="Add an endpoint"
      action="/settings/webhooks"
      csrf={csrf}
      submit="Add endpoint"
      once
      intro={
        <p class="hint">
          https:// is required, except to a loopback or private address (such as http://10.0.0.5/hook). The
          signing secret is shown once, when the endpoint is added.
        </p>
      }
    >
      <Field id="webhook-url" name="url" label="URL" required placeholder="https://crm.example.com/capd" />
      <Field id="webhook-description" name="description" label="Description (optional)" />
      <fieldset>
        <legend>Events</legend>
        <Checkbox
          id="webhook-all-events"
          name={ALL_EVENTS_FIELD}
          label="All events, including ones added in later releases"
          checked
        />
        {NOTIFICATION_EVENTS.map((event) => (
          <Checkbox id={`webhook-${event.replace(/\W/g, '-')}`} name={eventField(event)} label={event} />
        ))}
      </fieldset>
    </NamedForm>
  )
}

/** Asks before an action the receiver notices: deleting the endpoint, or a new secret (the old one stops). */
export function ConfirmWebhookPage(p: {
  frame: Frame
  endpoint: WebhookEndpoint
  action: 'delete' | 'secret'
}) {
  const { endpoint: e } = p
  const remove = p.action === 'delete'
  return (
    <OperatorPage
      {...p.frame}
      title={remove ? 'Delete webhook endpoint' : 'New signing secret'}
      section="settings"
    >
      <h1>
        {remove ? 'Delete' : 'Give a new secret to'} <code>{e.url}</code>?
      </h1>
      <p>
        {remove
          ? 'It receives nothing more, and what is still waiting to be sent to it is dropped (the delivery log shows it as failed).'
          : 'The old secret stops signing at once: the receiver refuses capd’s requests until it has the new one, which is shown on the next page only.'}
      </p>
      <div class="actions">
        <ActionForm
          action={`/settings/webhooks/${e.id}/${p.action}`}
          csrf={p.frame.csrf}
          submit={remove ? 'Delete endpoint' : 'Make a new secret'}
          kind="danger"
          once={!remove}
        />
        <a class="button secondary" href="/settings/webhooks">
          Cancel
        </a>
      </div>
    </OperatorPage>
  )
}
