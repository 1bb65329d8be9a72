/**
 * Child process: serves either the real controller on a seeded lowdb store or the bare baseline app
 * on 127.0.0.1, and measures its own event-loop delay, log appends and snapshots while the parent
 * applies load. It exits when the parent disconnects.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Hono } from 'hono'
import { createApp } from '../controller/src/app.js'
import { bootstrap } from '../controller/src/auth/bootstrap.js'
import { systemClock } from '../controller/src/clock.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { newId } from '../controller/src/ids.js'
import { listen, type RunningServer } from '../controller/src/server.js'
import { openLowdbStore } from '../controller/src/store/lowdb-store.js'
import type { Store } from '../controller/src/store/store.js'
import { bareApp } from './bare-app.js'
import type { ServerCommand, ServerReply, ServerWindowStats } from './messages.js'
import { seedSubscribers } from './seed.js'
import { probeStoreWrites } from './write-probe.js'

const BENCH_TOKEN = 'capd-bench-admin-token-0123456789'

const send = (reply: ServerReply) => process.send?.(reply)
const probe = probeStoreWrites()
// The histogram records whole timer intervals, so an idle loop reads 10 ms: report only the excess.
const RESOLUTION_MS = 10
const loopDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
const delayMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS)
let server: RunningServer | undefined
let store: Store | undefined

async function open(command: Extract<ServerCommand, { type: 'open' }>): Promise<ServerReply> {
  let app: Hono
  let subscriberIds: string[]
  const seedStarted = performance.now()
  if (command.kind === 'bare') {
    app = bareApp()
    subscriberIds = Array.from({ length: 1000 }, () => newId('sub'))
  } else {
    const env: DomainEnv = {
      clock: systemClock,
      timeZone: 'UTC',
      currency: 'USD',
      idempotencyTtlMs: 48 * 3600_000,
    }
    // Seed, then close and reopen: the server starts as a restarted controller does, from a
    // snapshot and an empty log, rather than with the one huge seeding transaction in the log.
    const seeding = await openLowdbStore(command.dataDir, (line) => console.error(line))
    store = seeding
    await bootstrap(seeding, env, { bootstrapToken: BENCH_TOKEN })
    subscriberIds = await seedSubscribers(seeding, command.subscribers, env.clock.now())
    await seeding.close()
    const opened = await openLowdbStore(command.dataDir, (line) => console.error(line))
    store = opened
    opened.onFailure((err) => {
      send({ type: 'failed', message: err.message })
      process.exit(1)
    })
    app = createApp({ store: opened, env, isAgentConnected: () => false })
  }
  const seedMs = performance.now() - seedStarted
  server = await listen(app, 0, '127.0.0.1')
  return { type: 'ready', port: server.port, token: BENCH_TOKEN, subscriberIds, seedMs }
}

function windowStats(): ServerWindowStats {
  const { appends, snapshots } = probe
  const appendMs = appends.reduce((sum, a) => sum + a.ms, 0)
  return {
    eventLoopDelayP99Ms: delayMs(loopDelay.percentile(99)),
    eventLoopDelayMaxMs: delayMs(loopDelay.max),
    appends: appends.length,
    appendedTransactions: appends.reduce((sum, a) => sum + a.lines, 0),
    meanAppendMs: appends.length === 0 ? 0 : appendMs / appends.length,
    snapshots: snapshots.length,
  }
}

async function handle(command: ServerCommand): Promise<ServerReply> {
  switch (command.type) {
    case 'open':
      return open(command)
    case 'start':
      // Requests the warm-up left in flight still commit: an empty transaction waits for all of them.
      await store?.transact(async () => undefined)
      loopDelay.reset()
      loopDelay.enable()
      probe.reset()
      return { type: 'started' }
    case 'stop':
      loopDelay.disable()
      return { type: 'stopped', stats: windowStats() }
  }
}

process.on('message', (command: ServerCommand) => {
  handle(command).then(send, (err: Error) => send({ type: 'failed', message: err.stack ?? err.message }))
})

process.on('disconnect', () => {
  void (async () => {
    await server?.close()
    await store?.close()
    process.exit(0)
  })()
})
