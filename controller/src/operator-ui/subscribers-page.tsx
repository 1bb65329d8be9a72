/** The subscriber list: search by name, login, e-mail or address, filter by state, page through. */
import { Field, Select } from '../ui/forms.js'
import { UsageBar } from '../ui/usage-bar.js'
import { StateBadge } from './state-badge.js'
import { listUrl, type SubscriberListData } from './subscribers-data.js'

const STATES = [
  { value: '', label: 'All' },
  { value: 'open', label: 'Open' },
  { value: 'blocked', label: 'Blocked' },
  { value: 'throttled', label: 'Throttled' },
]

export function SubscriberSearchForm({ data }: { data: SubscriberListData }) {
  return (
    <search aria-label="Find subscribers">
      <form method="get" action="/subscribers" class="inline">
        <Field id="q" label="Search" type="search" value={data.search.q ?? ''} />
        <Select id="state" label="State" options={STATES} value={data.search.state ?? ''} />
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
      {data.rows.length === 0 ? (
        <p class="empty">No subscribers match.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Login</th>
                <th scope="col">Address</th>
                <th scope="col">Plan</th>
                <th scope="col">State</th>
                <th scope="col">Usage</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map(({ sub, plan, usage }) => (
                <tr>
                  <td>
                    <a href={`/subscribers/${encodeURIComponent(sub.id)}`}>{sub.name}</a>
                  </td>
                  <td>{sub.login}</td>
                  <td>{sub.address}</td>
                  <td>{plan?.name ?? sub.planId}</td>
                  <td>
                    <StateBadge state={sub.state} />
                  </td>
                  <td>
                    {usage ? (
                      <UsageBar usedBytes={usage.usedBytes} limitBytes={usage.limitBytes} label={sub.name} />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {data.search.after ? <a href={listUrl(data.search)}>First page</a> : null}
        {data.nextCursor ? <a href={listUrl(data.search, data.nextCursor)}>Next page</a> : null}
      </nav>
    </div>
  )
}
