/** For tests: whether a customer's login and password get into the portal (the JSON login's status). */
import type { Hono } from 'hono'

export async function portalLoginStatus(app: Hono, login: string, password: string): Promise<number> {
  const res = await app.request(
    new Request('http://localhost/portal/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    }),
    undefined,
    // The login throttle keys on the client address the node server reports.
    { incoming: { socket: { remoteAddress: '198.51.100.7' } } },
  )
  return res.status
}
