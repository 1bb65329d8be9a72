/**
 * The hub's side of agent presence shared by controllers (see AgentPresence): claims a row for each
 * local session, renews them, closes a session another controller's newer connection took over,
 * and keeps the set of agents connected anywhere for the synchronous views (API, pages).
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from '@capd/log'
import type { AgentPresence } from '../store/agent-presence.js'

export interface SharedPresenceOptions {
  presence: AgentPresence | undefined
  logger: Logger
  /** How often rows are renewed and the shared view re-read. */
  intervalMs: number
  /** Another controller's newer session of this agent took over: close the local one. */
  replaced(agentId: string): void
  /** The set of agents connected anywhere changed. */
  changed(): void
}

export class SharedPresence {
  /** Local sessions: agent id → the session id in its presence row. */
  private readonly local = new Map<string, string>()
  private anywhere = new Set<string>()
  private timer: ReturnType<typeof setInterval> | undefined
  private ticking: Promise<void> | undefined

  constructor(private readonly o: SharedPresenceOptions) {
    if (!o.presence) return
    this.timer = setInterval(() => void this.tick(), o.intervalMs)
    this.timer.unref?.()
  }

  /** A local session of `agentId` began: it takes the agent over on every controller. */
  claimed(agentId: string): Promise<void> {
    const sessionId = randomUUID()
    this.local.set(agentId, sessionId)
    return this.guard(this.o.presence?.claim(agentId, sessionId), 'claiming agent presence')
  }

  /** The local session of `agentId` ended. */
  released(agentId: string): Promise<void> {
    const sessionId = this.local.get(agentId)
    if (sessionId === undefined) return Promise.resolve()
    this.local.delete(agentId)
    return this.guard(this.o.presence?.release(agentId, sessionId), 'releasing agent presence')
  }

  /** Connected through some controller, as of the last renewal (at most `intervalMs` old). */
  has(agentId: string): boolean {
    return this.anywhere.has(agentId)
  }

  /** Connected through some controller now (read from the store). */
  async hasNow(agentId: string): Promise<boolean> {
    if (this.local.has(agentId)) return true
    if (!this.o.presence) return false
    return (await this.o.presence.connected()).has(agentId)
  }

  /** One renewal: runs at most one at a time. */
  tick(): Promise<void> {
    this.ticking ??= this.renew().finally(() => {
      this.ticking = undefined
    })
    return this.ticking
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private async renew(): Promise<void> {
    const presence = this.o.presence
    if (!presence) return
    try {
      const sent = new Map(this.local)
      for (const agentId of await presence.renew(sent)) {
        // Only if the session renewed is still the local one (a newer local one claimed afresh).
        if (this.local.get(agentId) !== sent.get(agentId)) continue
        this.local.delete(agentId)
        this.o.replaced(agentId)
      }
      const now = await presence.connected()
      const before = this.anywhere
      this.anywhere = now
      if (now.size !== before.size || [...now].some((id) => !before.has(id))) this.o.changed()
    } catch (err) {
      this.o.logger.warn({ err }, 'renewing agent presence failed; trying again')
    }
  }

  private async guard(work: Promise<void> | undefined, what: string): Promise<void> {
    try {
      await work
    } catch (err) {
      this.o.logger.warn({ err }, `${what} failed`)
    }
  }
}
