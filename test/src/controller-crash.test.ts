/**
 * Crash test: a controller under a load of top-ups and payments is killed with SIGKILL at random
 * moments, 50 times. After each kill the store file must parse and hold every acknowledged request
 * exactly once; after each restart every request whose answer was lost is retried with its key and
 * must end up applied exactly once. `CAPD_CRASH_SEED=<n>` replays a run's kill moments.
 */
import { access, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { seededRandom } from '@capd/protocol/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient, type Call } from './support/api-client.js'
import { type Op, opFactory, randomKind, runLoad, send } from './support/client-ops.js'
import { type ControllerProcess, killAllControllers, startController } from './support/controller-process.js'
import {
  effectIndex,
  numberingProblems,
  readDataDir,
  readStore,
  type StoreDoc,
  storeProblems,
} from './support/store-invariants.js'

const ROUNDS = 50
const CONCURRENCY = 8
const SUBSCRIBERS = 3
const CAP_BYTES = 10_000_000_000
/** Enough that no balance-charged top-up in the run is refused for want of money. */
const OPENING_PAYMENT_CENTS = 10_000_000
const TOKEN = 'crash-test-admin-token-0123456789'
const SEED = Number(process.env.CAPD_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32))

let dataDir: string
const storeFile = () => join(dataDir, 'capd.json')

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'capd-crash-'))
})

afterAll(async () => {
  await killAllControllers()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

interface Stats {
  requests: number
  acknowledged: number
  unknown: number
  /** Unknown, and the retry was answered from the key record: durable when the kill landed. */
  committedUnacked: number
  /** Unknown, and the retry applied it: the kill landed before it was durable. */
  appliedOnRetry: number
  /** Kills that landed inside a store write (a torn log line or a snapshot's temp file left behind). */
  killsMidWrite: number
}

describe('controller crash', () => {
  it(`keeps every acknowledged top-up exactly once across ${ROUNDS} SIGKILLs`, async () => {
    const startedMs = performance.now()
    const killMoments = seededRandom(SEED)
    const choices = seededRandom(SEED ^ 0x5bd1e995)
    const makeOp = opFactory(choices)
    const ops: Op[] = []
    const stats: Stats = {
      requests: 0,
      acknowledged: 0,
      unknown: 0,
      committedUnacked: 0,
      appliedOnRetry: 0,
      killsMidWrite: 0,
    }
    const start = () => startController({ dataDir, env: { CAPD_BOOTSTRAP_TOKEN: TOKEN } })
    const context = (what: string) => `${what} (CAPD_CRASH_SEED=${SEED})`

    let controller: ControllerProcess = await start()
    let call = apiClient(controller.baseUrl, TOKEN)
    const subscriberIds = await seed(call)
    for (const id of subscriberIds) {
      const op = makeOp(id, 'payment', OPENING_PAYMENT_CENTS)
      ops.push(op)
      await send(call, op)
      expect(op.ack, context(`opening payment: ${JSON.stringify(op.refused?.body)}`)).toBeDefined()
    }
    expect(await controller.stop()).toBe(0)
    let lastDoc = (await readDataDir(dataDir)).doc

    for (let round = 1; round <= ROUNDS; round++) {
      controller = await start()
      call = apiClient(controller.baseUrl, TOKEN)
      await retryUnknown(call, ops, lastDoc, stats, context)

      let stopped = false
      const nextOp = () => {
        const subscriberId = subscriberIds[choices.int(0, subscriberIds.length - 1)]!
        const op = makeOp(subscriberId, randomKind(choices))
        ops.push(op)
        return op
      }
      const load = runLoad(call, nextOp, CONCURRENCY, () => stopped)
      await sleep(killMoments.int(5, 300))
      stopped = true
      await controller.kill()
      await load

      const afterKill = await readDataDir(dataDir)
      if (afterKill.tornBytes > 0 || (await exists(`${storeFile()}.tmp`))) stats.killsMidWrite++
      lastDoc = afterKill.doc
      expect(storeProblems(lastDoc, ops, { acked: true }), context(`store after kill ${round}`)).toEqual([])
      if (await exists(`${storeFile()}.prev`)) {
        const prev = await readStore(`${storeFile()}.prev`)
        expect(
          storeProblems(prev, ops, { acked: false }),
          context(`capd.json.prev after kill ${round}`),
        ).toEqual([])
      }
      const refused = ops.filter((op) => op.refused)
      expect(
        refused.map((op) => `${op.key}: ${op.refused!.status} ${JSON.stringify(op.refused!.body)}`),
        context('requests refused'),
      ).toEqual([])
    }

    controller = await start()
    call = apiClient(controller.baseUrl, TOKEN)
    await retryUnknown(call, ops, lastDoc, stats, context)
    expect(
      ops.filter((op) => !op.ack).map((op) => op.key),
      context('requests never acknowledged'),
    ).toEqual([])
    await checkThroughApi(call, subscriberIds, ops, context)
    await checkKeysReplay(call, ops, choices.int(0, 1e9), context)
    expect(await controller.stop()).toBe(0)
    expect(
      storeProblems((await readDataDir(dataDir)).doc, ops, { acked: true }),
      context('final store'),
    ).toEqual([])

    stats.requests = ops.length
    stats.acknowledged = ops.length - stats.unknown
    const { size } = await stat(storeFile())
    console.log(
      `crash test: seed ${SEED}, ${ROUNDS} kills, ${stats.requests} requests, ` +
        `${stats.acknowledged} acknowledged at once, ${stats.unknown} unknown then retried ` +
        `(${stats.committedUnacked} already durable, ${stats.appliedOnRetry} applied on retry), ` +
        `${stats.killsMidWrite} kills mid-write, store ${(size / 1e6).toFixed(1)} MB, ` +
        `${((performance.now() - startedMs) / 1000).toFixed(1)} s`,
    )
    // 50 controller starts take ~50 s alone and twice that beside other suites on 2 cores:
    // the limit only catches a hang.
  }, 300_000)
})

/** A plan, an agent and subscribers to top up; done before any kill. */
async function seed(call: Call): Promise<string[]> {
  const plan = await call('POST', '/plans', { name: 'Crash 10 GB', capBytes: CAP_BYTES, onCap: 'block' })
  expect(plan.status, JSON.stringify(plan.body)).toBe(201)
  const agent = await call('POST', '/agents', { name: 'crash-tower' })
  expect(agent.status, JSON.stringify(agent.body)).toBe(201)
  const ids: string[] = []
  for (let i = 1; i <= SUBSCRIBERS; i++) {
    const sub = await call('POST', '/subscribers', {
      name: `Crash ${i}`,
      login: `crash-${i}`,
      planId: plan.body.id,
      agentId: agent.body.id,
      address: `10.0.9.${i}`,
    })
    expect(sub.status, JSON.stringify(sub.body)).toBe(201)
    ids.push(sub.body.id)
  }
  return ids
}

/**
 * Retries every request whose answer the last kill swallowed, with its key and body. A replayed
 * answer must be what the killed controller had made durable; a fresh one must find nothing there.
 */
async function retryUnknown(
  call: Call,
  ops: readonly Op[],
  docAfterKill: StoreDoc,
  stats: Stats,
  context: (what: string) => string,
): Promise<void> {
  const effectsOf = effectIndex(docAfterKill)
  const pending = ops.filter((op) => op.unknown)
  stats.unknown += pending.length
  await inParallel(pending, CONCURRENCY, async (op) => {
    const durable = effectsOf(op)
    const answer = await send(call, op)
    expect(answer?.status, context(`retry of ${op.key}: ${JSON.stringify(answer?.body)}`)).toBe(201)
    if (answer!.replayed) {
      stats.committedUnacked++
      expect(durable, context(`replayed ${op.key} as ${op.ack?.id}; in the store`)).toEqual([op.ack!.id])
    } else {
      stats.appliedOnRetry++
      expect(durable, context(`applied ${op.key} again on retry, but the store already had it`)).toEqual([])
    }
  })
}

/** What the API shows once all is retried: each request's effect once, gap-free invoices, right balances. */
async function checkThroughApi(
  call: Call,
  subscriberIds: readonly string[],
  ops: readonly Op[],
  context: (what: string) => string,
): Promise<void> {
  const invoiceNumbers: string[] = []
  for (const id of subscriberIds) {
    const mine = ops.filter((op) => op.subscriberId === id)
    const topUpOps = mine.filter((op) => op.kind !== 'payment')
    const topUps = await call('GET', `/subscribers/${id}/topups`)
    expect(topUps.status).toBe(200)
    const items = topUps.body.items as { id: string; bytes: number; createdAt: string }[]
    expect(items.map((t) => `${t.bytes} ${t.id}`).sort(), context(`top-ups of ${id}`)).toEqual(
      topUpOps.map((op) => `${op.bytes} ${op.ack!.id}`).sort(),
    )

    const invoices = await call('GET', `/subscribers/${id}/invoices`)
    expect(invoices.status).toBe(200)
    for (const invoice of invoices.body.items as { number: string; topUpId: string }[]) {
      invoiceNumbers.push(invoice.number)
    }

    const ledger = await call('GET', `/subscribers/${id}/ledger`)
    expect(ledger.status).toBe(200)
    const paymentRefs = (ledger.body.items as { kind: string; ref: string }[])
      .filter((l) => l.kind === 'payment')
      .map((l) => l.ref)
    const paymentOps = mine.filter((op) => op.kind === 'payment')
    expect(paymentRefs.sort(), context(`payments of ${id}`)).toEqual(
      paymentOps.map((op) => op.ack!.id).sort(),
    )

    const view = await call('GET', `/subscribers/${id}`)
    expect(view.status).toBe(200)
    const cents = (kind: Op['kind']) =>
      mine.filter((op) => op.kind === kind).reduce((sum, op) => sum + op.cents, 0)
    expect(view.body.balance.amount, context(`balance of ${id}`)).toBe(
      cents('payment') - cents('balance-topup'),
    )
    // Each top-up raises the limit once; the guard keeps this true if the month turns mid-run.
    const periodStart = Date.parse(view.body.usage.periodStart)
    const inPeriod = items.filter((t) => Date.parse(t.createdAt) >= periodStart)
    expect(view.body.usage.limitBytes, context(`limit of ${id}`)).toBe(
      inPeriod.reduce((sum, t) => sum + t.bytes, CAP_BYTES),
    )
  }
  const topUpCount = ops.filter((op) => op.kind !== 'payment').length
  expect(invoiceNumbers.length, context('invoice count')).toBe(topUpCount)
  expect(numberingProblems(invoiceNumbers), context('invoice numbers')).toEqual([])
}

/** Keys outlive restarts: a sample of acknowledged requests sent again is answered, not applied. */
async function checkKeysReplay(
  call: Call,
  ops: readonly Op[],
  seed: number,
  context: (what: string) => string,
): Promise<void> {
  const random = seededRandom(seed)
  const sample = Array.from({ length: 20 }, () => ops[random.int(0, ops.length - 1)]!)
  for (const op of sample) {
    const ackedAs = op.ack!.id
    const answer = await send(call, op)
    expect(answer?.status, context(`resend of ${op.key}`)).toBe(201)
    expect(answer?.replayed, context(`resend of ${op.key} replayed`)).toBe(true)
    expect(op.ack?.id, context(`resend of ${op.key} answers the same row`)).toBe(ackedAs)
  }
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < items.length) await run(items[next++]!)
  }
  await Promise.all(Array.from({ length: limit }, worker))
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
