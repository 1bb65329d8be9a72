/**
 * The agent config shown once at enrolment: for the driver the operator chose, the smallest file
 * the agent accepts (see agent/src/config.ts), with the router's own details left as placeholders
 * to fill in, and the controller URL the agent should use.
 */
import { isIP } from 'node:net'
import type { Context } from 'hono'
import { cameOverHttps } from '../portal/request-origin.js'

export const AGENT_DRIVERS = ['nftables', 'routeros', 'snmp'] as const
export type AgentDriver = (typeof AGENT_DRIVERS)[number]

/** Where a packaged agent keeps its journal and state (the service unit's StateDirectory). */
export const AGENT_STATE_DIR = '/var/lib/capd-agent'

/** What the operator must replace before starting the agent. */
export const PLACEHOLDER = 'CHANGE-ME'

/**
 * The controller URL for agents, with the agents' scheme (the agent adds `/agent/v1/ws` itself):
 * `wss://` and the host the browser used when the operator came over https; else `wss://` and the
 * public URL's host when that is https; else `ws://` and the host the browser used.
 */
export function controllerWsUrl(c: Context, publicUrl?: string): string {
  const url = new URL(c.req.url)
  const host = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim() || url.host
  if (cameOverHttps(c)) return `wss://${host}`
  if (publicUrl?.startsWith('https:')) return `wss://${new URL(publicUrl).host}`
  return `ws://${host}`
}

/**
 * True when an agent would send its token over the network in plain text: `ws://` to anything but
 * this machine (the agent warns about the same at every start, see agent/src/controller-url.ts).
 */
export function travelsInClear(controller: string): boolean {
  const url = new URL(controller)
  if (url.protocol !== 'ws:') return false
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1') return false
  return !(isIP(host) === 4 && host.startsWith('127.'))
}

/** The router settings of each driver, with the router's address and credentials as placeholders. */
function router(driver: AgentDriver): Record<string, unknown> {
  switch (driver) {
    case 'nftables':
      return { kind: 'nftables' }
    case 'routeros':
      return { kind: 'routeros', host: PLACEHOLDER, user: PLACEHOLDER, password: PLACEHOLDER }
    case 'snmp':
      return { kind: 'snmp', host: PLACEHOLDER, community: PLACEHOLDER, enforcer: { kind: 'nftables' } }
  }
}

/** The config file for `driver`; every setting not written has a default. The agent's id is inside the token. */
export function agentConfigJson(controller: string, token: string, driver: AgentDriver): string {
  return JSON.stringify({ controller, token, stateDir: AGENT_STATE_DIR, router: router(driver) }, null, 2)
}
