/**
 * Top-up API throughput: POST /api/v1/subscribers/:id/topups against the real controller on a
 * durable lowdb store (snapshot + write-ahead log) of N subscribers, next to a bare hono handler
 * served the same way in the same run. Each server runs in a child process; autocannon drives it from this one.
 */
import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import { Child } from './child.js'
import type { BenchConfig } from './config.js'
import type { ServerCommand, ServerKind, ServerReply, ServerWindowStats } from './messages.js'
import { withScratchDir } from './scratch.js'
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

function scenario(
  name: string,
  kind: ServerKind,
  subscribers: number,
  config: BenchConfig,
): Promise<ScenarioResult> {
  return withScratchDir(config.tmpRoot, async (dataDir) => {
    const child = new Child<ServerCommand, ServerReply>(new URL('./server-child.ts', import.meta.url), name)
    try {
      const ready = expect(await child.request({ type: 'open', kind, subscribers, dataDir }), 'ready')
      if (kind === 'capd') {
        console.error(
          `  ${name}: seeded ${subscribers} subscribers and reopened the store in ${formatNumber(ready.seedMs / 1000)} s`,
        )
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
      await child.kill()
    }
  })
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
      'WAL appends',
      'top-ups/append',
      'ms/append',
      'snapshots',
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
        store ? s.appends : '-',
        store ? formatNumber(s.appendedTransactions / s.appends) : '-',
        store ? formatNumber(s.meanAppendMs, 2) : '-',
        store ? s.snapshots : '-',
        ratio(r.requestsPerSecond, bare),
      ]
    }),
  )
  console.log(
    '\nloop delay = event-loop delay in the server during the measured window (monitorEventLoopDelay, ' +
      'beyond its 10 ms timer); WAL appends = write-ahead log appends (group commits) in the window; ' +
      'top-ups/append = transactions logged per append; ms/append = open + write + fsync + close, wall ' +
      'time, so it includes waiting for the busy event loop between those steps; ' +
      'snapshots = whole-document writes in the window (taken once the log outgrows the last one, min ' +
      '4 MiB; their JSON.stringify runs on the event loop). Each store starts from a snapshot and an ' +
      'empty log, as after a restart.',
  )
}
