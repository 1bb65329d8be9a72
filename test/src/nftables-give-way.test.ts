/**
 * The nftables driver's whole apply at thousands of subscribers, on a real kernel: it plans a slice
 * at a time (the event loop turns between slices), and told to give way it stops with the kernel's
 * table untouched, so the agent can let a pushed top-up go first and plan again after it; its
 * reading stops for one too.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RouterDriver, SubscriberRule } from '../../agent/src/drivers/driver.js'
import { createNftablesDriver } from '../../agent/src/drivers/nftables/nftables-driver.js'
import { createNetnsRouter, type NetnsRouter, netnsUnavailableReason } from './support/netns-router.js'
import { prerequisite } from './support/prerequisite.js'

const unavailable = await netnsUnavailableReason()
const needs = prerequisite('nftables give-way tests', unavailable)
const title = needs.title(`a whole nftables apply giving way`)

const SUBSCRIBERS = 5000

/** Subscriber i at 10.(100 + i / 250).(i % 250).1; every `blockedEvery`th blocked at its cap. */
function rules(blockedEvery: number): SubscriberRule[] {
  return Array.from({ length: SUBSCRIBERS }, (_, i) => {
    const blocked = i % blockedEvery === 0
    return {
      subscriberId: `s${i}`,
      address: `10.${100 + Math.floor(i / 250)}.${i % 250}.1`,
      state: blocked ? 'blocked' : 'open',
      remainingBytes: blocked ? 0n : 1_000_000_000n,
      // One way, so a blocked subscriber is held by the block set (a set element to add).
      count: 'down',
    } satisfies SubscriberRule
  })
}

describe.skipIf(needs.skip)(title, () => {
  let net: NetnsRouter
  let driver: RouterDriver
  const table = () => net.exec(net.routerNs, ['nft', '-j', 'list', 'table', 'inet', 'capd'])
  /** The IPv4 block set's elements, as nft lists them. */
  const blockedAddresses = async () => {
    const listed = JSON.parse(
      await net.exec(net.routerNs, ['nft', '-j', 'list', 'set', 'inet', 'capd', 'block4']),
    )
    const set = listed.nftables.find((item: { set?: unknown }) => item.set)?.set as { elem?: unknown[] }
    return (set.elem ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))
  }

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true, so this must run, but it ${unavailable}`)
    net = await createNetnsRouter({ customers: 0 })
    driver = createNftablesDriver({ netns: net.routerNs, timeoutMs: 120_000 })
    await driver.start()
    await driver.apply(rules(1_000_000), await driver.readCounters())
  }, 120_000)
  afterAll(async () => {
    await net?.destroy()
  })

  it('lets the loop turn while it plans, and told to give way changes nothing; then applies all', async () => {
    const before = await table()
    const reading = await driver.readCounters()
    let asked = 0
    let ticks = 0
    const ticker = setInterval(() => ticks++, 1)
    const stopped = await driver.apply(rules(10), reading, undefined, undefined, () => {
      asked++
      return true
    })
    clearInterval(ticker)
    expect(stopped).toEqual({ skipped: [], gaveWay: true })
    expect(asked).toBe(1)
    expect(ticks).toBeGreaterThan(0)
    expect(await table()).toBe(before)

    // What went first meanwhile: a push blocking s3 (not one of every tenth).
    const s3: SubscriberRule = { ...rules(1)[3]!, state: 'blocked', remainingBytes: 0n }
    await driver.apply(
      [...rules(1_000_000).filter((r) => r.subscriberId !== 's3'), s3],
      reading,
      undefined,
      new Set(['s3']),
    )
    expect(await blockedAddresses()).toEqual(['10.100.0.1', '10.100.3.1'])

    // Then the whole apply again, never told to give way: every tenth blocked, and s3 still.
    const wanted = rules(10).map((r) => (r.subscriberId === 's3' ? s3 : r))
    const done = await driver.apply(wanted, reading, undefined, undefined, () => false)
    expect(done.gaveWay).toBeUndefined()
    const blocked = await blockedAddresses()
    expect(blocked).toHaveLength(SUBSCRIBERS / 10 + 1)
    expect(blocked).toContain('10.100.3.1')
    expect(blocked).toContain('10.100.10.1')
  }, 120_000)

  it('stops a reading for a push: nft is ended at once, and the next reading is whole', async () => {
    const whole = await driver.readCounters()
    const stop = new AbortController()
    const started = performance.now()
    const reading = driver.readCounters(stop.signal)
    setTimeout(() => stop.abort(new Error('a push waits')), 20)
    await expect(reading).rejects.toThrow('a push waits')
    const stoppedMs = performance.now() - started
    // No listing of ours is left running in the namespace.
    const listings = execFileSync('ip', ['netns', 'pids', net.routerNs], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
        } catch {
          return '' // ended meanwhile
        }
      })
      .filter((args) => args.includes('list table'))
    expect(listings).toEqual([])
    const timed = performance.now()
    const again = await driver.readCounters(new AbortController().signal)
    const wholeMs = performance.now() - timed
    expect(again.samples).toHaveLength(whole.samples.length)
    expect(again.samples.length).toBeGreaterThanOrEqual(SUBSCRIBERS)
    // Stopped well before a listing of the whole table could have ended.
    expect(stoppedMs).toBeLessThan(wholeMs)
  }, 120_000)
})
