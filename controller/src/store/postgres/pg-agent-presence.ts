/**
 * Agent presence in PostgreSQL (see AgentPresence): `agent_presence` rows stamped with the
 * server's clock, so controllers with skewed clocks agree on what is fresh. A controller that dies
 * stops renewing; its rows go stale after `staleMs` and count as offline.
 */
import type pg from 'pg'
import type { AgentPresence } from '../agent-presence.js'

export const PRESENCE_SCHEMA = `
CREATE TABLE agent_presence (
  agent_id text PRIMARY KEY,
  session_id text NOT NULL,
  heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
`

export class PgAgentPresence implements AgentPresence {
  constructor(
    private readonly pool: pg.Pool,
    /** A row not renewed for this long belongs to a dead controller. */
    private readonly staleMs: number,
  ) {}

  async claim(agentId: string, sessionId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO agent_presence (agent_id, session_id) VALUES ($1, $2)
       ON CONFLICT (agent_id) DO UPDATE SET session_id = $2, heartbeat_at = clock_timestamp()`,
      [agentId, sessionId],
    )
  }

  async renew(
    sessions: ReadonlyMap<string, string>,
    current: (agentId: string) => string | undefined,
  ): Promise<string[]> {
    if (sessions.size === 0) return []
    const agents = [...sessions.keys()]
    const { rows } = await this.pool.query<{ agent_id: string }>(
      `UPDATE agent_presence p SET heartbeat_at = clock_timestamp()
       FROM unnest($1::text[], $2::text[]) AS s(agent_id, session_id)
       WHERE p.agent_id = s.agent_id AND p.session_id = s.session_id
       RETURNING p.agent_id`,
      [agents, agents.map((a) => sessions.get(a)!)],
    )
    const renewed = new Set(rows.map((r) => r.agent_id))
    const { rows: held } = await this.pool.query<{ agent_id: string; live: boolean }>(
      `SELECT agent_id,
              heartbeat_at > clock_timestamp() - make_interval(secs => $2::double precision / 1000) AS live
       FROM agent_presence WHERE agent_id = ANY($1::text[])`,
      [agents.filter((a) => !renewed.has(a)), this.staleMs],
    )
    const holder = new Map(held.map((r) => [r.agent_id, r.live]))
    const lost: string[] = []
    for (const agentId of agents) {
      if (renewed.has(agentId)) continue
      const sessionId = sessions.get(agentId)!
      const live = holder.get(agentId)
      // Another session, claimed after ours (a claim landed before this renewal), is live: ours lost.
      if (live === true) lost.push(agentId)
      // The session read a moment ago may have ended and the agent come back as a newer session
      // since: only the session still local takes the row, and never over one that holds it.
      else if (current(agentId) !== sessionId) continue
      else if (live === undefined) await this.claimVacant(agentId, sessionId)
      else await this.takeStale(agentId, sessionId)
    }
    return lost
  }

  /** A row that vanished (a release raced a claim) is taken again, unless a claim got there first. */
  private async claimVacant(agentId: string, sessionId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO agent_presence (agent_id, session_id) VALUES ($1, $2)
       ON CONFLICT (agent_id) DO NOTHING`,
      [agentId, sessionId],
    )
  }

  /** A row held by a session whose controller stopped renewing it: a live session takes it back. */
  private async takeStale(agentId: string, sessionId: string): Promise<void> {
    await this.pool.query(
      `UPDATE agent_presence SET session_id = $2, heartbeat_at = clock_timestamp()
       WHERE agent_id = $1
         AND heartbeat_at <= clock_timestamp() - make_interval(secs => $3::double precision / 1000)`,
      [agentId, sessionId, this.staleMs],
    )
  }

  async release(agentId: string, sessionId: string): Promise<void> {
    await this.pool.query('DELETE FROM agent_presence WHERE agent_id = $1 AND session_id = $2', [
      agentId,
      sessionId,
    ])
  }

  async connected(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ agent_id: string }>(
      `SELECT agent_id FROM agent_presence
       WHERE heartbeat_at > clock_timestamp() - make_interval(secs => $1::double precision / 1000)`,
      [this.staleMs],
    )
    return new Set(rows.map((r) => r.agent_id))
  }
}
