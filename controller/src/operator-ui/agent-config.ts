/** The agent config shown once at enrolment: the smallest file the agent accepts (see agent/src/config.ts). */
import type { Context } from 'hono'
import { cameOverHttps } from '../portal/request-origin.js'

/**
 * The controller as the operator's browser reached it, with the agents' scheme: `wss://` behind
 * TLS, else `ws://`. The agent adds the `/agent/v1/ws` path itself.
 */
export function controllerWsUrl(c: Context): string {
  const url = new URL(c.req.url)
  const host = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim() || url.host
  return `${cameOverHttps(c) ? 'wss' : 'ws'}://${host}`
}

/**
 * A config for the nftables router (the agent runs on the Linux router itself); every other setting
 * has a default. The agent's id is inside the token, so the config has no field for it.
 */
export function agentConfigJson(controller: string, token: string): string {
  return JSON.stringify({ controller, token, router: { kind: 'nftables' } }, null, 2)
}
