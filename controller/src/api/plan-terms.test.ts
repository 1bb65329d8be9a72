/**
 * The plan API's allowance terms: every bad input refused with the field and why and nothing
 * stored; every field round-trips (random valid plans); an edit pushes the new terms under a new
 * limit version; the older onCap/throttleKbps input keeps working and stays in step.
 */
import { describe, expect, it } from 'vitest'
import { testApp } from '../testing/test-app.js'

const BASE = { name: 'Night owl', capBytes: 50e9 }
const PERCENT = { kind: 'throttle_percent', percent: 10 }

describe('plan terms: refused input', () => {
  it.each([
    [{ capAction: PERCENT }, 'rateDownKbps: is required for a percentage throttle'],
    [{ capAction: { kind: 'throttle_percent', percent: 0 }, rateDownKbps: 1000 }, 'capAction.percent'],
    [{ capAction: { kind: 'throttle_percent', percent: 100 }, rateDownKbps: 1000 }, 'from 1 to 99'],
    [{ capAction: { kind: 'throttle_percent', percent: 12.5 }, rateDownKbps: 1000 }, 'whole percentage'],
    [{ capAction: { kind: 'throttle_kbps' } }, 'capAction.kbps'],
    [{ capAction: { kind: 'throttle_kbps', kbps: 0 } }, 'more than 0 kbit/s'],
    [{ capAction: { kind: 'slow' } }, 'capAction'],
    [{ capAction: { kind: 'block' }, onCap: 'block' }, 'onCap: give either capAction'],
    [{ capAction: { kind: 'block' }, throttleKbps: 5 }, 'throttleKbps: give either capAction'],
    [{}, 'capAction: is required'],
    [{ onCap: 'block', rateDownKbps: -5 }, 'rateDownKbps'],
    [{ onCap: 'block', rateUpKbps: 1.5 }, 'rateUpKbps'],
    [{ onCap: 'block', count: 'sideways' }, 'count'],
    [{ onCap: 'block', drawOrder: 'random' }, 'drawOrder'],
    [
      { onCap: 'block', rollover: { plan: true, topUps: false, periods: 1, maxBytes: 0 } },
      'rollover.maxBytes',
    ],
    [
      { onCap: 'block', rollover: { plan: true, topUps: false, periods: 1, maxBytes: -1 } },
      'rollover.maxBytes',
    ],
    [{ onCap: 'block', rollover: { plan: true, topUps: false, periods: 0 } }, 'rollover.periods'],
    [
      { onCap: 'block', rollover: { plan: true, topUps: false, periods: 1, maxBytes: 5000 } },
      'rollover.maxBytes: 5000 bytes is under 1 MB',
    ],
    [{ onCap: 'block', rollover: { plan: true, topUps: true } }, 'rollover.periods'],
    [{ onCap: 'block', rollover: { plan: false, topUps: false, periods: 1 } }, 'rollover: must roll over'],
    [{ onCap: 'block', rollover: { plan: true, topUps: false, periods: 1, extra: 1 } }, 'extra'],
    [{ onCap: 'block', freeHours: [{ from: '25:00', to: '06:00' }] }, 'freeHours.0.from'],
    [{ onCap: 'block', freeHours: [{ from: '0:00', to: '06:00' }] }, 'HH:MM'],
    [{ onCap: 'block', freeHours: [{ from: '06:00', to: '06:00' }] }, 'freeHours.0.to: must differ'],
    [
      {
        onCap: 'block',
        freeHours: [
          { from: '00:00', to: '06:00' },
          { from: '05:00', to: '07:00' },
        ],
      },
      'freeHours.1: 05:00–07:00 overlaps 00:00–06:00',
    ],
    [
      {
        onCap: 'block',
        freeHours: [
          { from: '23:00', to: '02:00' },
          { from: '01:00', to: '03:00' },
        ],
      },
      'overlaps 23:00–02:00',
    ],
    [
      {
        onCap: 'block',
        freeHours: [
          { from: '00:00', to: '01:00' },
          { from: '02:00', to: '03:00' },
          { from: '04:00', to: '05:00' },
          { from: '06:00', to: '07:00' },
        ],
      },
      'freeHours: must list at most 3',
    ],
  ])('POST refuses %j (%s) and stores nothing', async (terms, message) => {
    const { call, snapshot } = await testApp()
    const before = snapshot()
    const res = await call('POST', '/plans', { ...BASE, ...terms })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(res.body.error.message).toContain(message)
    expect(snapshot()).toBe(before)
  })

  it.each([
    [{ capAction: PERCENT }, 'rateDownKbps: is required for a percentage throttle'],
    [{ capAction: { kind: 'block' }, onCap: 'block' }, 'capAction: give either'],
    [{ rollover: { plan: true, topUps: false, periods: 1, maxBytes: 0 } }, 'rollover.maxBytes'],
    [{ freeHours: [{ from: '22:00', to: '22:00' }] }, 'freeHours.0.to'],
    [{ count: null }, 'count'],
  ])('PATCH refuses %j (%s) and changes nothing', async (changes, message) => {
    const { call, seed, snapshot } = await testApp()
    const { plan } = await seed()
    const before = snapshot()
    const res = await call('PATCH', `/plans/${plan.id}`, changes)
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain(message)
    expect(snapshot()).toBe(before)
  })

  it('takes a rollover under 1 MB only with allowTiny, as every data amount', async () => {
    const { call } = await testApp()
    const rollover = { plan: true, topUps: false, periods: 1, maxBytes: 5000 }
    const res = await call('POST', '/plans', { ...BASE, onCap: 'block', rollover, allowTiny: true })
    expect(res.status).toBe(201)
    expect(res.body.rollover).toEqual(rollover)
  })

  it('refuses clearing the normal speed a percentage throttle needs', async () => {
    const { call, snapshot } = await testApp()
    const plan = (await call('POST', '/plans', { ...BASE, capAction: PERCENT, rateDownKbps: 20_000 })).body
    const before = snapshot()
    const res = await call('PATCH', `/plans/${plan.id}`, { rateDownKbps: null })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('rateDownKbps: is required for a percentage throttle')
    expect(snapshot()).toBe(before)
  })
})

/** A seeded random source (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)]!
  return { next, int, pick }
}

type Rand = ReturnType<typeof random>
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** Up to 3 windows that do not overlap: cut points on the day's circle, every other gap free. */
function freeHours(r: Rand) {
  const n = r.int(0, 3)
  const cuts = new Set<number>()
  while (cuts.size < n * 2) cuts.add(r.int(0, 24 * 4 - 1) * 15)
  const sorted = [...cuts].sort((a, b) => a - b)
  const shift = r.int(0, 1) // start at an odd cut: the last window then spans midnight
  const windows: { from: string; to: string }[] = []
  for (let i = 0; i < n; i++) {
    const from = sorted[(2 * i + shift) % sorted.length]!
    const to = sorted[(2 * i + 1 + shift) % sorted.length]!
    windows.push({ from: hhmm(from), to: hhmm(to) })
  }
  return windows
}

/** Valid terms, each field given or left out at random, and what the plan should then show. */
function randomTerms(r: Rand) {
  const body: Record<string, unknown> = {}
  const shown: Record<string, unknown> = {
    rateDownKbps: null,
    rateUpKbps: null,
    count: 'both',
    drawOrder: null,
    rollover: null,
    freeHours: [],
  }
  const down = r.next() < 0.6 ? r.int(1, 1_000_000) : undefined
  if (down !== undefined) body.rateDownKbps = shown.rateDownKbps = down
  if (r.next() < 0.5) body.rateUpKbps = shown.rateUpKbps = r.int(1, 1_000_000)
  const kinds =
    down === undefined
      ? ['block', 'throttle_kbps', 'old']
      : ['block', 'throttle_kbps', 'throttle_percent', 'old']
  const kind = r.pick(kinds)
  if (kind === 'old') {
    const kbps = r.int(1, 100_000)
    body.onCap = 'throttle'
    body.throttleKbps = kbps
    shown.capAction = { kind: 'throttle_kbps', kbps }
  } else {
    const action =
      kind === 'block'
        ? { kind }
        : kind === 'throttle_kbps'
          ? { kind, kbps: r.int(1, 100_000) }
          : { kind, percent: r.int(1, 99) }
    body.capAction = shown.capAction = action
  }
  if (r.next() < 0.7) body.count = shown.count = r.pick(['both', 'down', 'up'])
  if (r.next() < 0.5) body.drawOrder = shown.drawOrder = r.pick(['plan_first', 'topups_first'])
  if (r.next() < 0.6) {
    const plan = r.next() < 0.5
    const rollover = {
      plan,
      topUps: !plan || r.next() < 0.5,
      periods: r.int(1, 24),
      ...(r.next() < 0.5 ? { maxBytes: r.int(1, 10_000) * 1e6 } : {}),
    }
    body.rollover = shown.rollover = rollover
  }
  const windows = freeHours(r)
  if (windows.length > 0 || r.next() < 0.5) body.freeHours = shown.freeHours = windows
  return { body, shown }
}

/** What onCap/throttleKbps must say for older readers, from the cap action and the speeds. */
function olderFields(shown: Record<string, unknown>) {
  const action = shown.capAction as { kind: string; kbps?: number; percent?: number }
  if (action.kind === 'block') return { onCap: 'block' }
  if (action.kind === 'throttle_kbps') return { onCap: 'throttle', throttleKbps: action.kbps }
  const down = shown.rateDownKbps as number
  return { onCap: 'throttle', throttleKbps: Math.max(1, Math.round((down * action.percent!) / 100)) }
}

describe('plan terms: round trip', () => {
  it('shows every field as created and as edited, for random valid plans', async () => {
    const { call } = await testApp()
    for (let seed = 1; seed <= 60; seed++) {
      const r = random(seed)
      const created = randomTerms(r)
      const res = await call('POST', '/plans', { ...BASE, ...created.body })
      expect(res.status, `seed ${seed}: ${JSON.stringify(res.body)}`).toBe(201)
      const read = (await call('GET', `/plans/${res.body.id}`)).body
      expect(read, `seed ${seed}`).toMatchObject({ ...created.shown, ...olderFields(created.shown) })
      expect(res.body).toEqual(read)
      expect('throttleKbps' in read, `seed ${seed}`).toBe(read.onCap === 'throttle')

      // An edit giving all the terms anew (nulls clear): the plan shows exactly them.
      const edited = randomTerms(r)
      const clear = {
        rateDownKbps: null,
        rateUpKbps: null,
        count: 'both',
        drawOrder: null,
        rollover: null,
        freeHours: [],
      }
      const patched = await call('PATCH', `/plans/${res.body.id}`, { ...clear, ...edited.body })
      expect(patched.status, `seed ${seed}: ${JSON.stringify(patched.body)}`).toBe(200)
      const again = (await call('GET', `/plans/${res.body.id}`)).body
      expect(again, `seed ${seed}`).toMatchObject({ ...edited.shown, ...olderFields(edited.shown) })
      expect('throttleKbps' in again, `seed ${seed}`).toBe(again.onCap === 'throttle')
    }
  })

  it('keeps the terms an edit leaves out', async () => {
    const { call } = await testApp()
    const full = {
      ...BASE,
      capAction: PERCENT,
      rateDownKbps: 20_000,
      rateUpKbps: 5_000,
      count: 'down',
      drawOrder: 'topups_first',
      rollover: { plan: true, topUps: false, maxBytes: 50e9, periods: 2 },
      freeHours: [{ from: '23:00', to: '06:00' }],
    }
    const plan = (await call('POST', '/plans', full)).body
    const renamed = await call('PATCH', `/plans/${plan.id}`, { name: 'Night owl 2' })
    const { name: _, ...terms } = full
    expect(renamed.body).toMatchObject({
      ...terms,
      name: 'Night owl 2',
      onCap: 'throttle',
      throttleKbps: 2000,
    })
  })
})

describe('plan terms: an edit reaches the agents', () => {
  it('pushes direction and a percentage throttle per direction under a new limit version', async () => {
    const { call, seed, data } = await testApp()
    const { plan, subscriber } = await seed()
    const before = data.subscribers[subscriber.id]!.limitVersion!
    const res = await call('PATCH', `/plans/${plan.id}`, {
      capAction: { kind: 'throttle_percent', percent: 25 },
      rateDownKbps: 40_000,
      rateUpKbps: 8_000,
      count: 'down',
    })
    expect(res.status).toBe(200)
    const sub = data.subscribers[subscriber.id]!
    expect(sub.limitVersion).toBe(before + 1)
    expect(sub.limitTerms).toMatchObject({
      onCap: 'throttle',
      throttleKbps: 10_000,
      throttleUpKbps: 2_000,
      count: 'down',
    })

    // A new normal speed changes what the percentage gives: another version.
    await call('PATCH', `/plans/${plan.id}`, { rateDownKbps: 80_000 })
    expect(data.subscribers[subscriber.id]!.limitVersion).toBe(before + 2)
    expect(data.subscribers[subscriber.id]!.limitTerms).toMatchObject({
      throttleKbps: 20_000,
      throttleUpKbps: 2_000,
    })
    expect((await call('GET', `/plans/${plan.id}`)).body).toMatchObject({
      onCap: 'throttle',
      throttleKbps: 20_000,
    })
  })
})

describe('plan terms: the older onCap input', () => {
  it('still creates and edits plans, and a cap action set later keeps onCap/throttleKbps in step', async () => {
    const { call } = await testApp()
    const plan = (await call('POST', '/plans', { ...BASE, onCap: 'throttle', throttleKbps: 512 })).body
    expect(plan).toMatchObject({
      onCap: 'throttle',
      throttleKbps: 512,
      capAction: { kind: 'throttle_kbps', kbps: 512 },
    })
    const percent = await call('PATCH', `/plans/${plan.id}`, { capAction: PERCENT, rateDownKbps: 30_000 })
    expect(percent.body).toMatchObject({ onCap: 'throttle', throttleKbps: 3_000 })
    // `{onCap: "throttle"}` alone keeps the plan's own throttle.
    const same = await call('PATCH', `/plans/${plan.id}`, { onCap: 'throttle' })
    expect(same.body).toMatchObject({ capAction: PERCENT, throttleKbps: 3_000 })
    const fixed = await call('PATCH', `/plans/${plan.id}`, { throttleKbps: 256 })
    expect(fixed.body).toMatchObject({
      onCap: 'throttle',
      throttleKbps: 256,
      capAction: { kind: 'throttle_kbps', kbps: 256 },
    })
    const blocked = await call('PATCH', `/plans/${plan.id}`, { onCap: 'block' })
    expect(blocked.body).toMatchObject({ onCap: 'block', capAction: { kind: 'block' } })
    expect(blocked.body.throttleKbps).toBeUndefined()
  })
})
