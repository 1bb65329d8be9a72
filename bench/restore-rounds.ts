/**
 * The pieces of the top-up → access restored benchmarks: a round blocked at the cap by real
 * traffic through the agent, then timed from a change to the first probe datagram at the customer.
 */
import { objectNames } from '../agent/src/drivers/nftables/layout.js'
import { MAX_PACKET_BYTES } from '../agent/src/drivers/nftables/quota-plan.js'
import type { Call } from '../test/src/support/api-client.js'
import type { NetnsRouter } from '../test/src/support/netns-router.js'
import { msBetween, percentile, sleep } from './stats.js'
import { formatNumber, ratio } from './table.js'
import type { UdpProbe } from './udp-probe.js'

/** The agent polls only every second, so access can only come back through the pushed limits. */
export const POLL_INTERVAL_MS = 1000
export const CAP_BYTES = 100_000
export const TOPUP_BYTES = 250_000
/** Twice what a top-up allows, so one burst always reaches the cap. */
const BURST_BYTES = 2 * TOPUP_BYTES
/** Probe datagrams sent before the timed change, to show the subscriber really is cut off. */
const PRECHECK_MS = 20
const ARRIVAL_TIMEOUT_MS = 5_000
/** The first apply of a large fleet on a busy machine takes a while (10k subscribers: tens of seconds). */
const SYNC_TIMEOUT_MS = 180_000

export interface Samples {
  /** Start of the change → first probe datagram at the customer. */
  restoreMs: number[]
  /** Start of the change → the API answer (capd) or the nft command's exit (bare). */
  answerMs: number[]
}

export const noSamples = (): Samples => ({ restoreMs: [], answerMs: [] })

/** One timed round: the probe must be blocked first, then `change` must let it through. */
export async function timeRestore(
  probe: UdpProbe,
  tag: string,
  change: () => Promise<void>,
  samples: Samples,
): Promise<void> {
  await probe.start(tag)
  try {
    await sleep(PRECHECK_MS)
    if ((await probe.arrival(tag, 0)) !== undefined) {
      throw new Error(`round ${tag}: the probe was not blocked`)
    }
    const startNs = process.hrtime.bigint()
    await change()
    const answerNs = process.hrtime.bigint()
    const arrivedNs = await probe.arrival(tag, ARRIVAL_TIMEOUT_MS)
    if (arrivedNs === undefined) throw new Error(`round ${tag}: no datagram within ${ARRIVAL_TIMEOUT_MS} ms`)
    samples.restoreMs.push(msBetween(startNs, arrivedNs))
    samples.answerMs.push(msBetween(startNs, answerNs))
  } finally {
    await probe.stop()
  }
}

/** The subscriber's kernel quota is spent: the router drops its traffic until the quota is re-armed. */
async function quotaSpent(net: NetnsRouter, subscriberId: string): Promise<boolean> {
  const argv = ['nft', '-j', 'list', 'quota', 'inet', 'capd', objectNames(subscriberId).quota]
  const text = await net.exec(net.routerNs, argv)
  const quota = (
    JSON.parse(text) as { nftables: Array<{ quota?: { bytes: number; used: number } }> }
  ).nftables.find((o) => o.quota)?.quota
  return quota !== undefined && quota.used >= quota.bytes
}

/**
 * Bursts past the allowance until the router drops the subscriber's traffic (its kernel quota is
 * spent) and the controller shows it blocked, its books within a packet of the limit: the agent
 * has booked the poll that saw it, so its own books say blocked too, and access can come back only
 * through a pushed limit.
 */
export async function driveToBlocked(
  net: NetnsRouter,
  probe: UdpProbe,
  subscriberId: string,
  api: Call,
): Promise<void> {
  // Blocked by the books, not only by the state the agent last reported: right after the last
  // round's top-up that may still say blocked while the poll that books this burst is yet to come
  // (3 rounds in 100 were timed from there, each 1.2-1.9 s: restored by that poll, not the push).
  const blocked = async () => {
    if (!(await quotaSpent(net, subscriberId))) return false
    const view = (await api('GET', `/subscribers/${subscriberId}`)).body
    return view?.state === 'blocked' && view.usage?.remainingBytes < Number(MAX_PACKET_BYTES)
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    await probe.blast(BURST_BYTES)
    // A poll of a large fleet on a busy machine can take several intervals.
    const deadline = Date.now() + 10 * POLL_INTERVAL_MS
    while (Date.now() < deadline) {
      if (await blocked()) return
      await sleep(25)
    }
  }
  throw new Error(`the agent never blocked ${subscriberId}`)
}

export async function topUp(api: Call, subscriberId: string, key: string): Promise<void> {
  const body = { bytes: TOPUP_BYTES, price: { amount: 100, currency: 'USD' }, allowTiny: true }
  const answer = await api('POST', `/subscribers/${subscriberId}/topups`, body, { 'idempotency-key': key })
  if (answer.status !== 201)
    throw new Error(`top-up answered ${answer.status}: ${JSON.stringify(answer.body)}`)
}

/** The agent has applied the sync once the subscriber's counter exists. */
export async function waitForCounter(net: NetnsRouter, subscriberId: string): Promise<void> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS
  const argv = ['nft', 'list', 'counter', 'inet', 'capd', `cd_${subscriberId}`]
  while (
    !(await net.exec(net.routerNs, argv).then(
      () => true,
      () => false,
    ))
  ) {
    if (Date.now() > deadline)
      throw new Error(`the agent did not apply its sync within ${SYNC_TIMEOUT_MS} ms`)
    await sleep(50)
  }
}

/** A table row: n, the percentiles `points` (default p50, p90, p99, max), then p50 and p99 against `baseline`'s. */
export function row(
  label: string,
  values: readonly number[],
  baseline: readonly number[],
  points: readonly number[] = [50, 90, 99, 100],
) {
  return [
    label,
    values.length,
    ...points.map((q) => formatNumber(percentile(values, q))),
    ratio(percentile(values, 50), percentile(baseline, 50)),
    ratio(percentile(values, 99), percentile(baseline, 99)),
  ]
}
