/**
 * Top-up API throughput: POST /api/v1/subscribers/:id/topups against the real controller on a
 * durable lowdb store of N subscribers, next to a bare hono handler served the same way in the
 * same run. Each server runs in a child process; autocannon drives it from this one.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { Child } from './child.js'
import type { BenchConfig } from './config.js'
import type { ServerCommand, ServerKind, ServerReply, ServerWindowStats } from './messages.js'
import { formatNumber, printTable, ratio } from './table.js'

const BODY = JSON.stringify({ bytes: 1_000_000_000, price: { amount: 500, currency: 'USD' } })

interface ScenarioResult {
  name: string
  subscribers: number
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  server: ServerWindowStats
}

type Ready = Extract<ServerReply, { type: 'ready' }>

function expect<T extends ServerReply['type']>(
  reply: ServerReply,
  type: T,
): Extract<ServerReply, { type: T }> {
  if (reply.type === 'failed') throw new Error(`server child failed: ${reply.message}`)
  if (reply.type !== type) throw new Error(`server child answered ${reply.type}, expected ${type}`)
  return reply as Extract<ServerReply, { type: T }>
}

/** One autocannon run; every request a fresh Idempotency-Key and a random subscriber. */
async function load(
  ready: Ready,
  seconds: number,
  connections: number,
  mustComplete: boolean,
): Promise<autocannon.Result> {
  const keyPrefix = randomBytes(6).toString('hex')
  let sequence = 0
  const ids = ready.subscriberIds
  const result = await autocannon({
    url: `http://127.0.0.1:${ready.port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const id = ids[Math.floor(Math.random() * ids.length)]!
          request.path = `/api/v1/subscribers/${id}/topups`
          request.headers = {
            authorization: `Bearer ${ready.token}`,
            'content-type': 'application/json',
            'idempotency-key': `${keyPrefix}-${sequence++}`,
          }
          request.body = BODY
          return request
        },
      },
    ],
  })
  const failed = result.non2xx + result.errors + result.timeouts
  // A warm-up may end before a big store finishes its first write; a measured run may not.
  if (failed > 0 || (mustComplete && result['2xx'] === 0)) {
    const codes = JSON.stringify(result.statusCodeStats ?? {})
    throw new Error(
      `load on ${ready.port} failed: ${result['2xx']} ok, ${result.non2xx} non-2xx ${codes}, ` +
        `${result.errors} errors, ${result.timeouts} timeouts`,
    )
  }
  return result
}

async function scenario(
  name: string,
  kind: ServerKind,
  subscribers: number,
  config: BenchConfig,
): Promise<ScenarioResult> {
  const dataDir = await mkdtemp(join(config.tmpRoot, 'capd-bench-'))
  const child = new Child<ServerCommand, ServerReply>(new URL('./server-child.ts', import.meta.url), name)
  try {
    const ready = expect(await child.request({ type: 'open', kind, subscribers, dataDir }), 'ready')
    if (kind === 'capd') {
      console.error(`  ${name}: seeded ${subscribers} subscribers in ${formatNumber(ready.seedMs / 1000)} s`)
    }
    await load(ready, config.warmupSeconds, config.connections, false)
    expect(await child.request({ type: 'start' }), 'started')
    const result = await load(ready, config.seconds, config.connections, true)
    const { stats } = expect(await child.request({ type: 'stop' }), 'stopped')
    await child.stop()
    return {
      name,
      subscribers,
      requestsPerSecond: result['2xx'] / result.duration,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      server: stats,
    }
  } finally {
    child.kill()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export async function topUpThroughput(config: BenchConfig): Promise<void> {
  console.log(
    `\n## Top-up API throughput (${config.connections} connections, ${config.seconds} s measured ` +
      `after ${config.warmupSeconds} s warm-up, server in a child process)\n`,
  )
  const results = [await scenario('bare hono', 'bare', 0, config)]
  for (const n of config.subscriberCounts) results.push(await scenario('capd top-up', 'capd', n, config))
  const bare = results[0]!.requestsPerSecond
  printTable(
    [
      'scenario',
      'subscribers',
      'req/s',
      'p50 ms',
      'p99 ms',
      'loop delay p99 ms',
      'loop delay max ms',
      'writes',
      'tx/write',
      'io ms/write',
      'doc MB first → last',
      'req/s vs bare',
    ],
    results.map((r) => {
      const s = r.server
      const store = r.name !== 'bare hono'
      return [
        r.name,
        store ? r.subscribers.toLocaleString('en-US') : '-',
        formatNumber(r.requestsPerSecond, 0),
        formatNumber(r.latencyP50Ms),
        formatNumber(r.latencyP99Ms),
        formatNumber(s.eventLoopDelayP99Ms),
        formatNumber(s.eventLoopDelayMaxMs),
        store ? s.writes : '-',
        store ? formatNumber(s.transactions / s.writes) : '-',
        store ? formatNumber(s.meanWriteIoMs) : '-',
        store ? `${formatNumber(s.firstWriteBytes / 1e6)} → ${formatNumber(s.lastWriteBytes / 1e6)}` : '-',
        ratio(r.requestsPerSecond, bare),
      ]
    }),
  )
  console.log(
    '\nloop delay = event-loop delay in the server during the measured window (monitorEventLoopDelay, ' +
      'beyond its 10 ms timer); writes = durable writes in the window; tx/write = top-up transactions per ' +
      'write (group commit); io = tmp write + fsync + link + rename + dir fsync; doc MB = size of the ' +
      'first and last write in the window.',
  )
}
