/**
 * 10k subscribers crossing a usage alert threshold in the same minute. Usage is booked as an agent
 * sends it (batches of 1,000 entries, each in its own transaction on the embedded store on disk);
 * with notifications on, each batch also decides its alerts and queues their e-mails, while the
 * outbox sends them to a real SMTP server (smtp-server) on 127.0.0.1. Prints the ingest rate and
 * the event loop's delay (p99, max) while usage is ingested, against the same run with
 * notifications off (the same window in every run), then how long the 10k e-mails took to leave
 * and the loop's delay while they left.
 *
 * Part of `pnpm bench`; alone: `pnpm tsx bench/notify-flood.ts [subscribers]` (default 10,000).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { silentLogger } from '@capd/log'
import { billingPeriod, PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { systemClock } from '../controller/src/clock.js'
import { enrolAgent } from '../controller/src/domain/agents.js'
import type { DomainEnv } from '../controller/src/domain/env.js'
import { createPlan } from '../controller/src/domain/plans.js'
import { createSubscriber } from '../controller/src/domain/subscribers.js'
import { ingestUsage } from '../controller/src/domain/usage-ingest.js'
import { EmailSender } from '../controller/src/notify/email-sender.js'
import { OutboxSender } from '../controller/src/notify/outbox-sender.js'
import { openLowdbStore } from '../controller/src/store/lowdb-store.js'
import type { Store } from '../controller/src/store/store.js'
import { SmtpSink } from '../controller/src/testing/smtp-sink.js'
import { formatNumber, printTable, ratio } from './table.js'

const BATCH = 1000
const CAP = 1_000_000_000
const MB = 1_000_000

interface RunResult {
  ingestMs: number
  entries: number
  /** The event loop's delay while usage is ingested. */
  loopP99Ms: number
  loopMaxMs: number
  queued: number
  /** The event loop's delay after ingest, while the outbox sends (notifications on). */
  sendLoopP99Ms?: number
  /** From the first batch to the last e-mail received (notifications on). */
  allSentMs?: number
}

type Mode = 'off' | 'decide' | 'send'

const ROUNDS = 3

function medianRun(runs: RunResult[]): RunResult {
  return [...runs].sort((a, b) => a.loopP99Ms - b.loopP99Ms)[Math.floor(runs.length / 2)]!
}

async function run(mode: Mode, subscribers: number): Promise<RunResult> {
  const notify = mode !== 'off'
  const dir = await mkdtemp(join(tmpdir(), 'capd-notify-flood-'))
  const sink = mode === 'send' ? await new SmtpSink().start() : undefined
  const env: DomainEnv = {
    clock: systemClock,
    timeZone: 'UTC',
    currency: 'USD',
    idempotencyTtlMs: 3600_000,
    ...(notify ? { channels: new Set(['email'] as const) } : {}),
  }
  const store = await openLowdbStore(dir, () => {})
  let outbox: OutboxSender | undefined
  try {
    const { agentId, subscriberIds } = await seed(store, env, notify, subscribers)
    if (sink) {
      const sender = new EmailSender({
        smtpUrl: sink.url(),
        from: 'Bench ISP <noc@bench.test>',
        fromDomain: 'bench.test',
      })
      outbox = new OutboxSender({ store, env, logger: silentLogger, senders: [sender] })
      outbox.start()
    }
    const periodStart = new Date(billingPeriod(Date.now(), 1, 'UTC').startMs).toISOString()
    let seq = 0
    const batches: Usage[] = []
    // 70 % first (below the threshold), then 15 % more: every subscriber crosses 80 %.
    for (const bytes of [700 * MB, 150 * MB]) {
      for (let i = 0; i < subscriberIds.length; i += BATCH) {
        const entries = subscriberIds.slice(i, i + BATCH).map((subscriberId) => ({
          seq: ++seq,
          subscriberId,
          periodStart,
          down: bytes,
          up: 0,
          atMs: Date.now(),
        }))
        batches.push({ v: PROTOCOL_VERSION, type: 'usage', epoch: 'bench-epoch', entries })
      }
    }
    const loop = monitorEventLoopDelay({ resolution: 1 })
    loop.enable()
    const started = performance.now()
    // As the hub does: a batch's transaction each, several in flight (the agent sends up to 8 ahead).
    await Promise.all(batches.map((usage) => store.transact((tx) => ingestUsage(tx, env, agentId, usage))))
    const ingestMs = performance.now() - started
    loop.disable()
    let sending: { allSentMs: number; sendLoopP99Ms: number } | undefined
    if (sink) {
      const sendLoop = monitorEventLoopDelay({ resolution: 1 })
      sendLoop.enable()
      while (sink.received.length < subscribers) await new Promise((r) => setTimeout(r, 20))
      sendLoop.disable()
      sending = { allSentMs: performance.now() - started, sendLoopP99Ms: sendLoop.percentile(99) / 1e6 }
    }
    return {
      ingestMs,
      entries: batches.length * BATCH,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
      queued: (await store.peek((tx) => tx.notifications.list())).length,
      ...sending,
    }
  } finally {
    outbox?.stop()
    await store.close()
    await sink?.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

async function seed(store: Store, env: DomainEnv, notify: boolean, subscribers: number) {
  return store.transact(async (tx) => {
    const plan = await createPlan(tx, env, 'system', {
      name: 'Flood 1 GB',
      capBytes: CAP,
      onCap: 'block',
      notifyAtPercent: notify ? [80, 100] : [],
    })
    const { agent } = await enrolAgent(tx, env, 'system', 'flood tower')
    const subscriberIds: string[] = []
    for (let i = 0; i < subscribers; i++) {
      const n = i + 1
      const input = {
        name: `Flood ${i}`,
        login: `flood${i}`,
        email: `flood${i}@example.net`,
        planId: plan.id,
        agentId: agent.id,
        address: `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`,
        billingDay: 1,
      }
      subscriberIds.push((await createSubscriber(tx, env, 'system', input, undefined)).id)
    }
    return { agentId: agent.id, subscriberIds }
  })
}

export async function notifyFlood(subscribers = 10_000): Promise<void> {
  console.log(`\n## Usage alert flood: ${formatNumber(subscribers, 0)} subscribers cross 80 % together`)
  // A single run's loop delay is one or two samples of a GC or a disk flush: the quiet runs are
  // repeated, interleaved, and the one with the median p99 is shown (sending once takes minutes).
  const offs: RunResult[] = []
  const decides: RunResult[] = []
  for (let round = 0; round < ROUNDS; round++) {
    offs.push(await run('off', subscribers))
    decides.push(await run('decide', subscribers))
  }
  const off = medianRun(offs)
  const decide = medianRun(decides)
  const on = await run('send', subscribers)
  const rate = (r: RunResult) => r.entries / (r.ingestMs / 1000)
  const row = (name: string, r: RunResult): (string | number)[] => [
    name,
    formatNumber(rate(r), 0),
    formatNumber(r.ingestMs, 0),
    formatNumber(r.loopP99Ms),
    formatNumber(r.loopMaxMs),
    r.queued,
    r.allSentMs === undefined ? '-' : formatNumber(r.allSentMs, 0),
    r.sendLoopP99Ms === undefined ? '-' : formatNumber(r.sendLoopP99Ms),
  ]
  printTable(
    [
      'run',
      'ingest entries/s',
      'ingest ms',
      'ingest: loop p99 ms',
      'ingest: loop max ms',
      'alerts decided',
      'all e-mails sent ms',
      'sending: loop p99 ms',
    ],
    [
      row(`notifications off (baseline, median of ${ROUNDS})`, off),
      row(`alerts decided, outbox stopped (median of ${ROUNDS})`, decide),
      row('alerts decided and e-mailed', on),
    ],
  )
  console.log(
    `ingest rate vs baseline: decided ${ratio(rate(decide), rate(off))}, e-mailed ${ratio(rate(on), rate(off))}; ` +
      `loop delay p99 during ingest vs baseline: decided ${ratio(decide.loopP99Ms, off.loopP99Ms)}, e-mailed ${ratio(on.loopP99Ms, off.loopP99Ms)}`,
  )
}

if (import.meta.url === `file://${process.argv[1]}`) await notifyFlood(Number(process.argv[2] ?? 10_000))
