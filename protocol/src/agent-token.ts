/** Agent tokens carry the agent's id (`capda_<agentId>.<secret>`), so an agent's config needs only its token. */

const AGENT_TOKEN = /^capda_([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{20,})$/

export function agentToken(agentId: string, secret: string): string {
  return `capda_${agentId}.${secret}`
}

/** The agent id inside a token, or undefined if it is not an agent token. */
export function agentIdFromToken(token: string): string | undefined {
  return AGENT_TOKEN.exec(token)?.[1]
}
