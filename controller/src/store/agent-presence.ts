/**
 * Which agents have a live connection on some controller sharing the store: one row per agent
 * (the owning controller's session and a heartbeat in the database's clock), so a controller shows
 * an agent connected through another, raises no offline alert for it, and a newer connection on
 * another controller replaces the older one as it would on one controller.
 */

export interface AgentPresence {
  /** This session now holds the agent: an older session of it, on any controller, loses it. */
  claim(agentId: string, sessionId: string): Promise<void>
  /**
   * Renews the heartbeat of these sessions (agent id → session id), each of whose claim landed;
   * returns the agent ids whose row another live session has claimed since, which the caller
   * closes as replaced. A row that vanished or went stale is taken back, but only for a session
   * `current` still names (the local one now), and a vanished row only if still vacant.
   */
  renew(
    sessions: ReadonlyMap<string, string>,
    current: (agentId: string) => string | undefined,
  ): Promise<string[]>
  /** The session ended: its row goes, unless another session claimed the agent meanwhile. */
  release(agentId: string, sessionId: string): Promise<void>
  /** Agents with a session whose heartbeat is fresh, on any controller. */
  connected(): Promise<Set<string>>
}
