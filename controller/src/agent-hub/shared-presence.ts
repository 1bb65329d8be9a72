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
  /**
   * Local sessions whose claim is in the store. Only these are renewed: a row another session
   * holds then means a claim made after ours, not one ours has yet to overwrite.
   */
  private readonly landed = new Set<string>()
  /** Local sessions whose claim failed: claimed again on the next renewal. */
  private readonly unclaimed = new Set<string>()
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
    return this.claim(agentId, sessionId)
  }

  private async claim(agentId: string, sessionId: string): Promise<void> {
    const presence = this.o.presence
    if (!presence) return
    try {
      await presence.claim(agentId, sessionId)
      this.unclaimed.delete(sessionId)
      if (this.local.get(agentId) === sessionId) this.landed.add(sessionId)
    } catch (err) {
      if (this.local.get(agentId) === sessionId) this.unclaimed.add(sessionId)
      this.o.logger.warn({ err }, 'claiming agent presence failed; trying again')
    }
  }

  /** The local session of `agentId` ended. */
  released(agentId: string): Promise<void> {
    const sessionId = this.local.get(agentId)
    if (sessionId === undefined) return Promise.resolve()
    this.local.delete(agentId)
    this.landed.delete(sessionId)
    this.unclaimed.delete(sessionId)
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
      for (const [agentId, sessionId] of this.local) {
        if (this.unclaimed.has(sessionId)) await this.claim(agentId, sessionId)
      }
      const sent = new Map([...this.local].filter(([, sessionId]) => this.landed.has(sessionId)))
      for (const agentId of await presence.renew(sent, (id) => this.local.get(id))) {
        // Only if the session renewed is still the local one (a newer local one claimed afresh).
        const sessionId = sent.get(agentId)!
        if (this.local.get(agentId) !== sessionId) continue
        this.local.delete(agentId)
        this.landed.delete(sessionId)
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
