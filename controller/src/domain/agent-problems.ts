/**
 * The rules an agent reports it skipped at its router (a bad or overlapping address), so an operator
 * sees who is not enforced and why. The latest report replaces the one before; a new connection starts
 * with none until the agent reports again (it does right after its sync when it has any).
 */
import type { Problems } from '@capd/protocol'
import type { Tx } from '../store/store.js'
import { requireLiveAgent } from './agents.js'
import type { DomainEnv } from './env.js'

export async function recordProblems(
  tx: Tx,
  env: DomainEnv,
  agentId: string,
  report: Problems,
): Promise<void> {
  const agent = await requireLiveAgent(tx, agentId)
  const { problems: _, problemsAtMs: _at, problemsOmitted: _omitted, ...rest } = agent
  if (report.problems.length === 0 && !agent.problems) return
  await tx.agents.update({
    ...rest,
    ...(report.problems.length === 0
      ? {}
      : {
          problems: report.problems,
          problemsAtMs: env.clock.now(),
          ...(report.omitted ? { problemsOmitted: report.omitted } : {}),
        }),
  })
}
