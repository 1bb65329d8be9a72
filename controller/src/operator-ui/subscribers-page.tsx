/** The subscriber list: search by name, login, e-mail or address, filter by state, page through. */
import { DataTable } from '../ui/data-table.js'
import { Field, Select } from '../ui/forms.js'
import { UsageBar } from '../ui/usage-bar.js'
import { StateBadge } from './state-badge.js'
import { subscriberAddress } from './subscriber-address.js'
import { listUrl, type SubscriberListData } from './subscribers-data.js'

const STATES = [
  { value: '', label: 'All' },
  { value: 'open', label: 'Open' },
  { value: 'blocked', label: 'Blocked' },
  { value: 'throttled', label: 'Throttled' },
]

const SHOW = [
  { value: '', label: 'Current' },
  { value: 'deleted', label: 'Deleted' },
]

export function SubscriberSearchForm({ data }: { data: SubscriberListData }) {
  return (
    <search aria-label="Find subscribers">
      <form method="get" action="/subscribers" class="inline">
        <Field id="q" label="Search" type="search" value={data.search.q ?? ''} />
        <Select id="state" label="State" options={STATES} value={data.search.state ?? ''} />
        <Select id="show" label="Show" options={SHOW} value={data.search.show ?? ''} />
        <button type="submit" class="button secondary">
          Filter
        </button>
      </form>
    </search>
  )
}

export function SubscriberTable({ data }: { data: SubscriberListData }) {
  return (
    <div id="subscribers" data-live>
      <DataTable
        rows={data.rows}
        empty="No subscribers match."
        columns={[
          {
            header: 'Name',
            cell: ({ sub }) => <a href={`/subscribers/${encodeURIComponent(sub.id)}`}>{sub.name}</a>,
          },
          { header: 'Login', cell: ({ sub }) => sub.login },
          { header: 'Address', cell: ({ sub }) => subscriberAddress(sub) },
          { header: 'Plan', cell: ({ sub, plan }) => plan?.name ?? sub.planId },
          {
            header: 'State',
            cell: ({ sub }) => (
              <>
                <StateBadge state={sub.state} />
                {sub.suspension ? <span class="badge suspended">Suspended</span> : null}
                {sub.deletedAtMs === undefined ? null : <span class="badge deleted">Deleted</span>}
              </>
            ),
          },
          {
            header: 'Usage',
            cell: ({ sub, usage }) =>
              usage ? (
                <UsageBar usedBytes={usage.usedBytes} limitBytes={usage.limitBytes} label={sub.name} />
              ) : null,
          },
        ]}
      />
      <nav class="pager" aria-label="Pages">
        {data.search.after ? <a href={listUrl(data.search)}>First page</a> : null}
        {data.nextCursor ? <a href={listUrl(data.search, data.nextCursor)}>Next page</a> : null}
      </nav>
    </div>
  )
}
