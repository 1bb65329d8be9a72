/** The route group a request path is counted under: a handful of fixed names, so no path (ids, secrets) becomes a label. */

/** Path prefixes (a whole segment or more) and their group; the first that matches wins. */
const GROUPS: readonly [prefix: string, group: string][] = [
  ['/api', 'api'],
  ['/portal/api', 'portal_api'],
  ['/portal', 'portal'],
  ['/agent', 'agent'],
  ['/webhooks', 'webhooks'],
  ['/assets', 'assets'],
  ['/brand', 'assets'],
  ['/healthz', 'health'],
  ['/readyz', 'health'],
]

/** Everything else: the operator UI's pages (and unknown paths). */
const OTHER = 'ui'

export function routeGroup(path: string): string {
  for (const [prefix, group] of GROUPS) if (path === prefix || path.startsWith(`${prefix}/`)) return group
  return OTHER
}
