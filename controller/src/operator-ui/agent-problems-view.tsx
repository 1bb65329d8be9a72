/** The agents page's list of rules an agent skipped at its router: who is not enforced there, and why. */
import type { RuleProblem } from '@capd/protocol'
import { DataTable } from '../ui/data-table.js'

export interface SkippedRule extends RuleProblem {
  agentName: string
  /** The subscriber's name, when it still exists. */
  subscriberName?: string
}

export function AgentProblems(p: { problems: readonly SkippedRule[]; omitted: number }) {
  if (p.problems.length === 0) return null
  return (
    <section id="agent-problems" class="card" aria-labelledby="agent-problems-title">
      <h2 id="agent-problems-title">Skipped at the router</h2>
      <p class="notice error" role="status">
        These subscribers' rules were left out at their router: they are neither counted nor blocked there
        until fixed. Every other subscriber on the agent is enforced. Edit the subscriber's address to fix it,
        or upgrade the agent where the problem says it is too old.
      </p>
      <DataTable
        rows={p.problems}
        empty=""
        wrap={false}
        labelledBy="agent-problems-title"
        columns={[
          { header: 'Agent', cell: (r) => r.agentName },
          {
            header: 'Subscriber',
            cell: (r) => (
              <a href={`/subscribers/${encodeURIComponent(r.subscriberId)}`}>
                {r.subscriberName ?? r.subscriberId}
              </a>
            ),
          },
          { header: 'Problem', cell: (r) => r.message },
        ]}
      />
      {p.omitted > 0 ? <p class="hint">…and {p.omitted} more the agents did not list.</p> : null}
    </section>
  )
}
