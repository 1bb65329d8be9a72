/**
 * Agent state save cost at 1k and 10k subscribers: one pushed limit (one book changed) and one ack
 * (ackedSeq moved) saved as the agent did before (the whole checkpoint, atomically) against the
 * state log (one record of what changed, appended and fsynced), interleaved in the same run. Also
 * what a compaction costs the event loop: the longest slice of the checkpoint built in the
 * background, against serialising it in one go as a full save does.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { billingPeriod, type SubscriberLimit } from '@capd/protocol'
import { takeLimit } from '../agent/src/books.js'
import {
  type AgentState,
  freshState,
  saveCheckpoint,
  toStoredBaseline,
} from '../agent/src/state/checkpoint.js'
import { checkpointText } from '../agent/src/state/checkpoint-slices.js'
import { StateStore } from '../agent/src/state/state-store.js'
import { type BenchConfig, positiveInt, readConfig } from './config.js'
import { fleetAddress } from './fleet.js'
import { withScratchDir } from './scratch.js'
import { median, msBetween, percentile } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const quiet = () => {}

function limitOf(i: number, version: number): SubscriberLimit {
  const period = billingPeriod(Date.parse('2026-11-10T00:00:00Z'), 1, 'UTC')
  return {
    subscriberId: `sub_bench${i}`,
    address: fleetAddress(i),
    periodStart: new Date(period.startMs).toISOString(),
    periodEnd: new Date(period.endMs).toISOString(),
    limitBytes: 100e9 + version,
    usedBytes: 0,
    limitVersion: version,
    onCap: 'block',
  }
}

/** A state as an agent holds it after a while: a book and a counter baseline per subscriber. */
function seededState(subscribers: number): AgentState {
  const state = freshState()
  for (let i = 0; i < subscribers; i++) {
    const id = `sub_bench${i}`
    state.books.set(id, takeLimit(undefined, limitOf(i, 1))!)
    state.baselines.set(id, { counterId: `capd_${i}`, bootId: 'boot', down: 123456789n, up: 98765n, atMs: 1 })
  }
  state.appliedSeq = 1000
  state.ackedSeq = 900
  return state
}

const timed = async (fn: () => Promise<unknown>) => {
  const start = process.hrtime.bigint()
  await fn()
  return msBetween(start, process.hrtime.bigint())
}

interface Row {
  subscribers: number
  fullLimit: number[]
  fullAck: number[]
  logLimit: number[]
  logAck: number[]
  oneGoMs: number
  longestSliceMs: number
}

async function measure(subscribers: number, rounds: number, tmpRoot: string): Promise<Row> {
  return withScratchDir(tmpRoot, async (dir) => {
    const row: Row = {
      subscribers,
      fullLimit: [],
      fullAck: [],
      logLimit: [],
      logAck: [],
      oneGoMs: 0,
      longestSliceMs: 0,
    }
    const full = seededState(subscribers)
    const fullPath = join(dir, 'full', 'state.json')
    await mkdir(join(dir, 'full'))
    await mkdir(join(dir, 'log'))
    await saveCheckpoint(fullPath, full)
    const store = await StateStore.create(join(dir, 'log'), seededState(subscribers), quiet)
    const logged = store.state
    let version = 1
    for (let round = 0; round < rounds; round++) {
      const i = (round * 7919) % subscribers
      version++
      // A pushed limit: one book replaced.
      full.books.set(`sub_bench${i}`, takeLimit(full.books.get(`sub_bench${i}`), limitOf(i, version))!)
      row.fullLimit.push(await timed(() => saveCheckpoint(fullPath, full)))
      logged.books.set(`sub_bench${i}`, takeLimit(logged.books.get(`sub_bench${i}`), limitOf(i, version))!)
      row.logLimit.push(await timed(() => store.save()))
      // An ack: one number.
      full.ackedSeq++
      row.fullAck.push(await timed(() => saveCheckpoint(fullPath, full)))
      logged.ackedSeq++
      row.logAck.push(await timed(() => store.save()))
    }
    await store.close()
    const start = process.hrtime.bigint()
    // What saveCheckpoint serialises, in one go.
    JSON.stringify({
      baselines: Object.fromEntries([...full.baselines].map(([id, b]) => [id, toStoredBaseline(b)])),
      created: Object.fromEntries(full.created),
      books: Object.fromEntries(full.books),
    })
    row.oneGoMs = msBetween(start, process.hrtime.bigint())
    row.longestSliceMs = await longestStall(() => checkpointText(full, 1))
    return row
  })
}

/** The longest the event loop went without a turn while `work` ran (what a push would wait). */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let longest = 0
  let last = process.hrtime.bigint()
  let running = true
  const tick = () => {
    const now = process.hrtime.bigint()
    longest = Math.max(longest, msBetween(last, now))
    last = now
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  await work()
  running = false
  return longest
}

export async function agentStateSave(config: Pick<BenchConfig, 'tmpRoot'>): Promise<void> {
  const rounds = positiveInt('BENCH_STATE_SAVES', 40)
  console.log(
    `\nAgent state save: one pushed limit and one ack, whole checkpoint (before) vs state log record; ${rounds} of each, ms`,
  )
  const rows: Row[] = []
  for (const subscribers of [1000, 10_000]) rows.push(await measure(subscribers, rounds, config.tmpRoot))
  const f = (v: number) => formatNumber(v, 2)
  printTable(
    ['subscribers', 'save', 'full p50', 'full p99', 'log p50', 'log p99', 'log/full p50', 'log/full p99'],
    rows.flatMap((r) =>
      (
        [
          ['pushed limit', r.fullLimit, r.logLimit],
          ['ack', r.fullAck, r.logAck],
        ] as const
      ).map(([what, full, log]) => [
        r.subscribers,
        what,
        f(median(full)),
        f(percentile(full, 99)),
        f(median(log)),
        f(percentile(log, 99)),
        ratio(median(log), median(full)),
        ratio(percentile(log, 99), percentile(full, 99)),
      ]),
    ),
  )
  console.log(
    '\nCompaction in the background: longest event-loop stall vs serialising the state in one go, ms',
  )
  printTable(
    ['subscribers', 'one go', 'longest slice', 'slice/one go'],
    rows.map((r) => [r.subscribers, f(r.oneGoMs), f(r.longestSliceMs), ratio(r.longestSliceMs, r.oneGoMs)]),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await agentStateSave(readConfig())
