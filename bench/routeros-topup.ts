/**
 * Top-up → unblocked on a MikroTik stand-in: the RouterOS peer in this process, the controller and
 * the agent (`"kind": "routeros"`) as real child processes. Each round bursts one subscriber past
 * its allowance, waits for its `capd-blocked` entry, then POSTs a top-up and times, from just before
 * the request, the API answer and the moment the peer has run the command that removes the entry.
 * The agent polls only every second, so a removal within milliseconds can only come from the pushed
 * limits. Baseline, one per round: one `/ip/firewall/address-list/remove` through our RouterOS
 * client, timed the same way.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connectRouterOs, type RouterOsConnection } from '../agent/src/drivers/routeros/api/index.js'
import { startAgent } from '../test/src/support/agent-process.js'
import { type Answer, apiClient, type Call } from '../test/src/support/api-client.js'
import { startController } from '../test/src/support/controller-process.js'
import { type RouterOsPeer, startRouterOsPeer } from '../test/src/support/routeros-peer/index.js'
import { type BenchConfig, readConfig } from './config.js'
import { reapOnExit, released } from './reaper.js'
import { withScratchDir } from './scratch.js'
import { msBetween, percentile, sleep } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const ADMIN_TOKEN = 'capd-bench-routeros-admin-token-0123456789'
const USERS = { capd: 'pw' }
const POLL_INTERVAL_MS = 1000
const ADDRESS = '10.0.0.5'
const BLOCK_LIST = 'capd-blocked'
/** What is left to spend at the start and after every top-up; each burst passes it by OVERSHOOT_BYTES. */
const ALLOWANCE_BYTES = 100_000
const OVERSHOOT_BYTES = 10_000
const BLOCK_TIMEOUT_MS = 5 * POLL_INTERVAL_MS
const REMOVE_TIMEOUT_MS = 5_000
/** The baseline's entry: its own list, so the agent (which owns `capd:` entries) never sees it. */
const BARE = { list: 'capd-bench-bare', address: '10.0.0.99', comment: 'bench bare remove' }

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  const value = raw ? Number(raw) : fallback
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

interface Samples {
  /** Start → the API answer (capd) or the remove's `!done` (bare). */
  answerMs: number[]
  /** Start → the entry is gone from the peer's address list. */
  goneMs: number[]
}

const isBlocked = (peer: RouterOsPeer) =>
  peer.state.addressLists.items.some((entry) => entry.list === BLOCK_LIST && entry.address === ADDRESS)

/**
 * Resolves with the ms from `startNs` until `condition` holds, checked right after each command the
 * peer runs: the moment the change lands, and no loop spinning a CPU the controller and agent need.
 */
function whenTrue(
  peer: RouterOsPeer,
  what: string,
  condition: () => boolean,
  startNs: bigint,
): Promise<number> {
  const { state } = peer
  const execute = state.execute
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      clearTimeout(timer)
      state.execute = execute
      outcome()
    }
    const timer = setTimeout(
      () => settle(() => reject(new Error(`${what}: not within ${REMOVE_TIMEOUT_MS} ms`))),
      REMOVE_TIMEOUT_MS,
    )
    const check = () => {
      if (!condition()) return
      const ms = msBetween(startNs, process.hrtime.bigint())
      settle(() => resolve(ms))
    }
    state.execute = (...args) => {
      try {
        return execute.apply(state, args)
      } finally {
        check()
      }
    }
    check()
  })
}

/** Checks `condition` every 1 ms (a timer, so the peer and the sockets run in between). */
async function every1ms(what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now()
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(1)
  }
  return performance.now() - started
}

async function must(answer: Promise<Answer>, status: number, what: string) {
  const { status: got, body } = await answer
  if (got !== status) throw new Error(`${what}: expected HTTP ${status}, got ${got}: ${JSON.stringify(body)}`)
  return body
}

/** One capd round: burst past the allowance, wait for the block, top up, time until the entry is gone. */
async function capdRound(peer: RouterOsPeer, api: Call, subscriberId: string, tag: string, samples: Samples) {
  const burst = ALLOWANCE_BYTES + OVERSHOOT_BYTES
  peer.addBytes(`capd:${subscriberId}`, burst / 10, burst - burst / 10)
  const blockedAfterMs = await every1ms(
    `${tag}: ${ADDRESS} into ${BLOCK_LIST}`,
    () => isBlocked(peer),
    BLOCK_TIMEOUT_MS,
  )
  const body = { bytes: burst, price: { amount: 1, currency: 'USD' }, allowTiny: true }
  const startNs = process.hrtime.bigint()
  const gone = whenTrue(peer, `${tag}: ${ADDRESS} out of ${BLOCK_LIST}`, () => !isBlocked(peer), startNs)
  gone.catch(() => {}) // awaited below; a failed POST must not leave it unhandled
  await must(
    api('POST', `/subscribers/${subscriberId}/topups`, body, {
      'idempotency-key': `bench-${tag.replace(' ', '-')}`,
    }),
    201,
    `${tag}: top-up`,
  )
  samples.answerMs.push(msBetween(startNs, process.hrtime.bigint()))
  samples.goneMs.push(await gone)
  return blockedAfterMs
}

/** One baseline round: add the bare entry (untimed), then time its remove. */
async function bareRound(peer: RouterOsPeer, bare: RouterOsConnection, tag: string, samples: Samples) {
  const id = (await bare.call('/ip/firewall/address-list/add', BARE)).done.ret
  if (!id) throw new Error(`${tag}: the bare add returned no .id`)
  const startNs = process.hrtime.bigint()
  const gone = whenTrue(
    peer,
    `${tag}: bare entry removed`,
    () => !peer.state.addressLists.items.some((entry) => entry['.id'] === id),
    startNs,
  )
  gone.catch(() => {})
  await bare.run('/ip/firewall/address-list/remove', { '.id': id })
  samples.answerMs.push(msBetween(startNs, process.hrtime.bigint()))
  samples.goneMs.push(await gone)
}

function row(label: string, values: readonly number[], baseline: readonly number[]) {
  const p = (q: number) => percentile(values, q)
  return [
    label,
    values.length,
    formatNumber(p(50), 2),
    formatNumber(p(90), 2),
    formatNumber(p(99), 2),
    formatNumber(p(100), 2),
    ratio(p(50), percentile(baseline, 50)),
    ratio(p(99), percentile(baseline, 99)),
  ]
}

export async function routerOsTopUp({ tmpRoot }: Pick<BenchConfig, 'tmpRoot'>): Promise<void> {
  const rounds = positiveInt('BENCH_ROUTEROS_TOPUPS', 100)
  console.log(
    `\n## RouterOS top-up → unblocked (RouterOS peer in this process; controller and agent are child ` +
      `processes; agent polls every ${POLL_INTERVAL_MS} ms; ${rounds} top-ups after 1 warm-up)\n`,
  )
  await withScratchDir(tmpRoot, async (dir) => {
    const started = performance.now()
    const stops: Array<() => Promise<unknown>> = []
    try {
      const peer = await startRouterOsPeer({ users: USERS })
      stops.unshift(() => peer.close())
      const controller = await startController({
        dataDir: join(dir, 'controller'),
        env: { CAPD_BOOTSTRAP_TOKEN: ADMIN_TOKEN },
        timeoutMs: 60_000,
      })
      reapOnExit(controller.pid)
      stops.unshift(() => controller.kill().then(() => released(controller.pid)))
      const api = apiClient(controller.baseUrl, ADMIN_TOKEN)
      const plan = await must(
        api('POST', '/plans', {
          name: 'bench 100 kB',
          capBytes: ALLOWANCE_BYTES,
          onCap: 'block',
          allowTiny: true,
        }),
        201,
        'plan',
      )
      const enrolled = await must(api('POST', '/agents', { name: 'mikrotik stand-in' }), 201, 'agent')
      const subscriber = await must(
        api('POST', '/subscribers', {
          name: 'Bench',
          login: 'bench',
          planId: plan.id,
          agentId: enrolled.id,
          address: ADDRESS,
        }),
        201,
        'subscriber',
      )
      const configPath = join(dir, 'agent.json')
      const agentConfig = {
        controller: controller.baseUrl.replace(/^http/, 'ws'),
        token: enrolled.token,
        stateDir: join(dir, 'agent-state'),
        pollIntervalMs: POLL_INTERVAL_MS,
        router: { kind: 'routeros', host: peer.host, port: peer.port, user: 'capd', password: USERS.capd },
      }
      await writeFile(configPath, JSON.stringify(agentConfig), { mode: 0o600 })
      const agent = await startAgent(configPath, { timeoutMs: 60_000 })
      reapOnExit(agent.pid)
      stops.unshift(() => agent.kill().then(() => released(agent.pid)))

      // Its queue made, and a counter read after that: the first burst is then counted.
      const queue = `capd:${subscriber.id}`
      const hasQueue = () => peer.state.queues.items.some((q) => q.name === queue)
      await every1ms('the agent adding its queue', hasQueue, 30_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${agent.output()}`)
      })
      const mark = peer.received.length
      await every1ms(
        'a counter read after the queue was added',
        () => peer.received.slice(mark).some(({ words }) => words[0] === '/queue/simple/print'),
        3 * POLL_INTERVAL_MS,
      )
      const bare = await connectRouterOs({
        host: peer.host,
        port: peer.port,
        user: 'capd',
        password: USERS.capd,
      })
      stops.unshift(() => bare.close())
      const setupMs = performance.now() - started

      const capd: Samples = { answerMs: [], goneMs: [] }
      const base: Samples = { answerMs: [], goneMs: [] }
      const blockWaitMs: number[] = []
      await capdRound(peer, api, subscriber.id, 'warm-up', { answerMs: [], goneMs: [] })
      await bareRound(peer, bare, 'warm-up', { answerMs: [], goneMs: [] })
      for (let i = 0; i < rounds; i++) {
        blockWaitMs.push(await capdRound(peer, api, subscriber.id, `round ${i}`, capd))
        // Right after the capd round, while the agent waits for its next poll: the same quiet moment.
        await bareRound(peer, bare, `round ${i}`, base)
      }
      const output = agent.output()
      const disconnects = output.match(/controller connection closed/g)?.length ?? 0
      const failures = output.split('\n').filter((line) => /failed|anomaly|refused/.test(line))
      const goneFirst = capd.goneMs.filter((ms, i) => ms < capd.answerMs[i]!).length

      console.log(
        `setup ${formatNumber(setupMs / 1000)} s, rounds ${formatNumber((performance.now() - started - setupMs) / 1000)} s ` +
          `(each waits for the agent's next poll to block: burst → ${BLOCK_LIST} p50 ` +
          `${formatNumber(percentile(blockWaitMs, 50), 0)} ms, max ${formatNumber(percentile(blockWaitMs, 100), 0)} ms)\n`,
      )
      printTable(
        ['path', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p50 vs bare', 'p99 vs bare'],
        [
          row('bare remove via connectRouterOs: request → entry gone', base.goneMs, base.goneMs),
          row('bare remove via connectRouterOs: !done received', base.answerMs, base.goneMs),
          row('capd: POST …/topups → API answer (201)', capd.answerMs, base.goneMs),
          row(`capd: POST …/topups → entry gone from ${BLOCK_LIST}`, capd.goneMs, base.goneMs),
        ],
      )
      console.log(
        `\nthe entry was gone before the API answer in ${goneFirst} of ${rounds} rounds; agent disconnects: ` +
          `${disconnects}; agent log lines saying failed/anomaly/refused: ${failures.length}` +
          (failures.length ? `\n  ${failures.slice(0, 5).join('\n  ')}` : ''),
      )
      console.log(
        '\nTimes are from just before the request to the answer, or to the moment the peer (in this ' +
          'process) has run the command that took the entry out (checked after each command it runs). ' +
          `Each capd round adds ${ALLOWANCE_BYTES + OVERSHOOT_BYTES} bytes to the queue (${OVERSHOOT_BYTES} past ` +
          `what is left), waits (checking every 1 ms) until the agent's poll has put ${ADDRESS} into ` +
          `${BLOCK_LIST}, then tops up as many bytes, so the allowance is back to ${ALLOWANCE_BYTES} bytes. ` +
          `The top-up therefore lands just after a poll; removal through a poll would take up to ` +
          `${POLL_INTERVAL_MS} ms. Bare = one /ip/firewall/address-list/remove of an entry in list ${BARE.list} ` +
          'through connectRouterOs over a connection open before the rounds; ratios are against its ' +
          'request → entry gone.',
      )
    } finally {
      for (const stop of stops) await stop().catch(() => {})
    }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Exit (rather than die) on a signal, so the reaper and the scratch dir clean up.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
  await routerOsTopUp(readConfig())
}
