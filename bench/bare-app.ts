/** The baseline: a hono app with only the top-up route, which parses the body and answers 201. */
import { Hono } from 'hono'

export function bareApp(): Hono {
  const app = new Hono()
  app.post('/api/v1/subscribers/:id/topups', async (c) => {
    const body = (await c.req.json()) as { bytes?: unknown }
    return c.json({ subscriberId: c.req.param('id'), bytes: body.bytes }, 201)
  })
  return app
}
