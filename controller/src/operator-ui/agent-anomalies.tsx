/** The agents page's "usage not booked" table: what agents reported that was acked without being booked, and why. */
import { formatBytes } from '@capd/protocol'
import type { UsageAnomaly, UsageAnomalyReason } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { ago, dateTime } from '../ui/format.js'

export interface AnomalyRow {
  agentName: string
  anomaly: UsageAnomaly
}

const WHY: Record<UsageAnomalyReason, string> = {
  unknown_subscriber:
    'subscriber not known to this controller (deleted, or the store was restored from a backup)',
  foreign_subscriber: 'subscriber is on another agent and never was on this one',
  moved_away: 'subscriber moved to another agent: usage dated after the move, or under a new journal',
  epoch_limit: 'the agent started more journals than allowed (8 live); check why its state keeps being wiped',
  epoch_retired: 'usage of a journal retired long ago, replayed',
  not_bookable:
    'acked, then refused by the books (a count past the largest they keep); see the controller log',
}

export function AgentAnomalies(p: { rows: readonly AnomalyRow[]; nowMs: number; timeZone: string }) {
  return (
    <section id="agent-anomalies" class="card" aria-labelledby="agent-anomalies-title" data-live>
      <h2 id="agent-anomalies-title">Usage not booked</h2>
      <p class="hint">
        Reported by an agent and acknowledged (so its journal moves on), but not counted for anyone.
      </p>
      <DataTable
        rows={p.rows}
        labelledBy="agent-anomalies-title"
        empty="Every usage report was booked."
        columns={[
          { header: 'Agent', cell: ({ agentName }) => agentName },
          {
            header: 'Subscriber',
            cell: ({ anomaly }) =>
              anomaly.subscriberId === '*' ? 'others (many ids)' : anomaly.subscriberId,
          },
          { header: 'Why', cell: ({ anomaly }) => WHY[anomaly.reason] },
          { header: 'Entries', num: true, cell: ({ anomaly }) => anomaly.entries },
          { header: 'Bytes', num: true, cell: ({ anomaly }) => formatBytes(anomaly.bytes) },
          {
            header: 'Last',
            cell: ({ anomaly }) => (
              <time
                datetime={new Date(anomaly.lastAtMs).toISOString()}
                title={dateTime(anomaly.lastAtMs, p.timeZone)}
              >
                {ago(anomaly.lastAtMs, p.nowMs)}
              </time>
            ),
          },
        ]}
      />
    </section>
  )
}
