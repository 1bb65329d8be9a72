/** The audit log page (every role may read it): who did what, when, on what; filtered, 50 a page, newest first. */
import type { Hono } from 'hono'
import { DataTable } from '../ui/data-table.js'
import { dateTime } from '../ui/format.js'
import { Field } from '../ui/forms.js'
import { type AuditPageData, auditUrl, loadAudit } from './audit-data.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'

export function auditPage(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  ui.get('/audit', kit.page, async (c) => {
    const data = await store.peek((tx) => loadAudit(tx, c.req.query(), env.timeZone))
    return c.html(
      <OperatorPage {...frame(c)} title="Audit log" section="audit">
        <h1>Audit log</h1>
        <AuditFilters data={data} />
        {data.note ? <p class="notice pending">{data.note}</p> : null}
        <AuditTable data={data} timeZone={env.timeZone} />
      </OperatorPage>,
    )
  })
}

function AuditFilters({ data }: { data: AuditPageData }) {
  const s = data.search
  return (
    <search aria-label="Filter the audit log">
      <form method="get" action="/audit" class="inline">
        <Field id="actor" label="Who" value={s.actor ?? ''} hint="A staff login, or api token <id>." />
        <Field
          id="action"
          label="Action"
          value={s.action ?? ''}
          placeholder="topup"
          hint="e.g. topup.create, or topup for all."
        />
        <Field
          id="target"
          label="On"
          value={s.target ?? ''}
          hint="The id of a subscriber, plan, agent or staff account."
        />
        <Field id="from" label="From" value={s.from ?? ''} placeholder="YYYY-MM-DD" />
        <Field id="to" label="To (inclusive)" value={s.to ?? ''} placeholder="YYYY-MM-DD" />
        <button type="submit" class="button secondary">
          Filter
        </button>
      </form>
    </search>
  )
}

/** The entry's details, as the change wrote them (never a password or a hash: no change records one). */
const details = (data: unknown) => (data === undefined ? '' : JSON.stringify(data))

function AuditTable({ data, timeZone }: { data: AuditPageData; timeZone: string }) {
  return (
    <div id="audit">
      <DataTable
        rows={data.rows}
        empty="No audit entries match."
        columns={[
          { header: 'When', cell: ({ entry }) => dateTime(entry.atMs, timeZone) },
          {
            header: 'Who',
            cell: ({ entry, actor }) => (
              <a
                href={auditUrl({
                  ...data.search,
                  actor: entry.actor.startsWith('user:') ? actor : entry.actor,
                  before: undefined,
                })}
              >
                {actor}
              </a>
            ),
          },
          { header: 'Action', cell: ({ entry }) => entry.action },
          {
            header: 'On',
            cell: ({ entry }) =>
              entry.entity === 'subscriber' ? (
                <a
                  href={`/subscribers/${encodeURIComponent(entry.entityId)}`}
                >{`subscriber ${entry.entityId}`}</a>
              ) : (
                `${entry.entity} ${entry.entityId}`
              ),
          },
          { header: 'Details', cell: ({ entry }) => <code>{details(entry.data)}</code> },
        ]}
      />
      <nav class="pager" aria-label="Pages">
        {data.search.before ? <a href={auditUrl(data.search)}>Newest</a> : null}
        {data.nextCursor ? <a href={auditUrl(data.search, data.nextCursor)}>Older entries</a> : null}
      </nav>
    </div>
  )
}
