/**
 * Child process for bench/body-limit.ts: serves capd's app (`capd`) or, as the baseline, a hono app
 * whose login reads any form (`uncapped`, as capd did before its body limit) on 127.0.0.1, and
 * reports its own peak RSS when asked. It exits when the parent disconnects.
 */
import { Hono } from 'hono'
import { createApp } from '../controller/src/app.js'
import { bootstrap } from '../controller/src/auth/bootstrap.js'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { listen } from '../controller/src/server.js'
import { emptyData } from '../controller/src/store/data.js'
import { DocumentStore } from '../controller/src/store/document-store.js'

const variant = process.argv[2]
const store = new DocumentStore(emptyData(), null)
const env: DomainEnv = { clock: systemClock, timeZone: 'UTC', currency: 'USD', idempotencyTtlMs: 3600_000 }
await bootstrap(store, env, { adminPassword: 'bench-password-1' })

function uncapped(): Hono {
  const app = new Hono()
  app.post('/login', async (c) => {
    const form = await c.req.parseBody()
    return c.text(`fields: ${Object.keys(form).length}`, 400)
  })
  return app
}

const app = variant === 'capd' ? createApp({ store, env, isAgentConnected: () => false }) : uncapped()
const server = await listen(app, 0, '127.0.0.1')
const maxRssBytes = () => process.resourceUsage().maxRSS * 1024
process.send?.({ port: server.port, maxRssBytes: maxRssBytes() })
process.on('message', () => process.send?.({ port: server.port, maxRssBytes: maxRssBytes() }))
process.on('disconnect', () => process.exit(0))
