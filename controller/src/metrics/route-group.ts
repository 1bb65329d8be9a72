/** The route group a request path is counted under: a handful of fixed names, so no path (ids, secrets) becomes a label. */

const GROUPS: readonly [prefix: string, group: string][] = [
  ['/api/', 'api'],
  ['/portal/api/', 'portal_api'],
  ['/portal', 'portal'],
  ['/agent/', 'agent'],
  ['/webhooks/', 'webhooks'],
  ['/assets/', 'assets'],
  ['/brand/', 'assets'],
  ['/healthz', 'health'],
  ['/readyz', 'health'],
]

export const ROUTE_GROUPS = [...new Set(GROUPS.map(([, group]) => group)), 'ui'] as const

export function routeGroup(path: string): string {
  for (const [prefix, group] of GROUPS) if (path === prefix || path.startsWith(prefix)) return group
  return 'ui'
}
