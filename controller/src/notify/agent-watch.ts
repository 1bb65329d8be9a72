/** The periodic check behind `agent.offline`: agents without a live connection for longer than `--agent-offline-minutes`. */
import type { Logger } from '@capd/log'
import type { DomainEnv } from '../domain/env.js'
import type { Store } from '../store/store.js'
import { decideAgentOffline } from './operator-events.js'

export const DEFAULT_AGENT_OFFLINE_MINUTES = 10
const AGENT_CHECK_MS = 60_000

export interface AgentWatchOptions {
  store: Store
  env: DomainEnv
  logger: Logger
  /** Whether the agent has a live connection now, on this controller or another on the same store. */
  isConnected: (agentId: string) => boolean | Promise<boolean>
  /** Silence longer than this is an outage; 0 turns the check off. */
  offlineMinutes: number
  /** When this controller started (default: construction). */
  startedAtMs?: number
}

export class AgentWatch {
  private timer: ReturnType<typeof setInterval> | undefined
  private running = false
  private readonly startedAtMs: number

  constructor(private readonly o: AgentWatchOptions) {
    this.startedAtMs = o.startedAtMs ?? o.env.clock.now()
  }

  start(): void {
    if (this.o.offlineMinutes <= 0 || this.timer) return
    this.timer = setInterval(() => void this.tick(), AGENT_CHECK_MS)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /**
   * One check; returns how many alerts it decided. Silence is counted from the later of the agent's
   * last-seen time and this controller's start: agents cannot connect to a controller that was down,
   * so a restart after an hour's outage must not report every agent before it had a chance.
   */
  async pass(): Promise<number> {
    const { store, env, isConnected } = this.o
    const limitMs = this.o.offlineMinutes * 60_000
    if (limitMs <= 0) return 0
    const nowMs = env.clock.now()
    const quiet: Array<{ id: string }> = []
    for (const a of await store.peek(async (tx) => tx.agents.list())) {
      if (a.revokedAtMs !== undefined || a.lastSeenAtMs === undefined) continue
      if (nowMs - Math.max(a.lastSeenAtMs, this.startedAtMs) <= limitMs) continue
      if (!(await isConnected(a.id))) quiet.push(a)
    }
    if (quiet.length === 0) return 0
    return store.transact(async (tx) => {
      let decided = 0
      for (const { id } of quiet) {
        // Read again inside the transaction: it may have connected or been revoked meanwhile.
        const agent = await tx.agents.get(id)
        if (agent && !(await isConnected(id)) && (await decideAgentOffline(tx, env, agent))) decided++
      }
      return decided
    })
  }

  private async tick(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      await this.pass()
    } catch (err) {
      this.o.logger.warn({ err, component: 'notify' }, 'agent offline check failed')
    } finally {
      this.running = false
    }
  }
}
