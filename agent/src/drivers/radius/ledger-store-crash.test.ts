/**
 * The ledger store crashing at random points: before an append (with any prefix of the record
 * reaching the disk, then perhaps NUL fill), before the compaction writes the whole file, before it
 * renames it into place, and before it cuts the log. The disk at that moment is copied (the file
 * first, then the log, as a crash would find them) and a new store opened on the copy; the NAS then
 * retransmits what went unanswered. Every answered report must be in the reopened counters, nothing
 * beyond what was sent, and at the end each counter is exactly the sum of its sessions' last totals.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@capd/protocol/testing'
import { afterAll, describe, expect, it } from 'vitest'
import type { AccountingRecord } from './accounting-record.js'
import { type DiskStep, LedgerStore } from './ledger-store.js'

const SEED = Number(process.env.CAPD_TEST_SEED ?? Math.floor(Math.random() * 2 ** 32))
const ROUNDS = Number(process.env.CAPD_TEST_ROUNDS ?? 8)
const LOGINS = ['alice', 'bob', 'carol', 'mallory'] // mallory has no counter
const FILE = 'radius-ledger.json'
const LOG = 'radius-ledger.log'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

interface Totals {
  down: bigint
  up: bigint
}
interface SimSession {
  id: string
  login: string
  sent?: AccountingRecord
  acked?: Totals
  /** Its Start was answered (until then the NAS retransmits that too). */
  started?: boolean
}

async function round(seed: number) {
  const random = seededRandom(seed)
  const where = `seed ${seed}`
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'capd-ledger-crash-'))
    dirs.push(dir)
    return dir
  }
  let dir = await mkdtemp(join(tmpdir(), 'capd-ledger-crash-'))
  dirs.push(dir)
  const minCompactBytes = random.int(300, 6000)
  const crashRate = 0.02 + random.next() * 0.1
  const steps = new Map<DiskStep, number>()
  let epoch = 0
  let crashedTo: string | undefined
  /** No crash while the counters are set up, nor once the round drains. */
  let calm = true
  const log: string[] = []

  /** A crash: the disk as it is at this moment, copied synchronously so no other step runs meanwhile. */
  const crashHook = (mine: number) => (step: DiskStep, bytes?: string) => {
    if (mine !== epoch || crashedTo !== undefined || calm) return
    // Compactions are rarer than appends: crash in them more often, so each point is reached.
    if (random.next() > (step === 'append' ? crashRate : 0.2)) return
    steps.set(step, (steps.get(step) ?? 0) + 1)
    const copy = newDir()
    for (const name of [FILE, LOG, `${FILE}.tmp`]) {
      const from = join(dir, name)
      if (existsSync(from)) writeFileSync(join(copy, name), readFileSync(from))
    }
    if (step === 'append' && bytes && random.next() < 0.7) {
      // Part of the interrupted append reached the disk, perhaps with the file already extended.
      const record = Buffer.from(bytes)
      const written = random.int(0, record.length - 1)
      const fill = random.int(0, record.length - written)
      const torn = Buffer.concat([record.subarray(0, written), Buffer.alloc(fill)])
      writeFileSync(join(copy, LOG), Buffer.concat([readOptional(join(copy, LOG)), torn]))
    }
    if (step === 'write-file') writeFileSync(join(copy, `${FILE}.tmp`), '{"v":1,"gener') // half a temp file
    crashedTo = copy
  }
  const openStore = (mine: number) =>
    LedgerStore.open(join(dir, FILE), Date.now(), {
      log: (line) => log.push(line),
      minCompactBytes,
      beforeStep: crashHook(mine),
    })

  let store = await openStore(epoch)
  for (const login of LOGINS.slice(0, 3)) store.ledger.createCounter(`sub_${login}`, login)
  await store.commit()
  calm = false
  const sessions: SimSession[] = Array.from({ length: random.int(5, 60) }, (_, i) => ({
    id: `s${i}`,
    login: LOGINS[random.int(0, LOGINS.length - 1)]!,
  }))

  const report = (session: SimSession, record: AccountingRecord) => {
    if (record.status !== 'start') session.sent = record
    session.sent ??= record
    store.ledger.record(record, 'nas1', Date.now())
    const mine = epoch
    return store.commit().then(
      () => {
        if (mine !== epoch || crashedTo !== undefined) return
        if (record.status === 'start') session.started = true
        else session.acked = { down: record.down, up: record.up }
      },
      () => {},
    )
  }
  const base = (session: SimSession) => ({
    sessionId: session.id,
    userName: session.login,
    nasIp: '192.0.2.1',
    delayS: 0,
  })
  const start = (session: SimSession): AccountingRecord => ({
    ...base(session),
    status: 'start',
    down: 0n,
    up: 0n,
  })
  const next = (session: SimSession): AccountingRecord => {
    if (!session.sent) return start(session)
    const grow = () => BigInt(random.int(0, 2 ** 31)) * BigInt(random.int(1, 3))
    return {
      ...base(session),
      status: 'interim',
      down: session.sent.down + grow(),
      up: session.sent.up + grow(),
      sessionTimeS: 1,
    }
  }
  const sums = (pick: (s: SimSession) => Totals | undefined) => {
    const result = new Map<string, Totals>()
    for (const s of sessions) {
      const t = pick(s)
      if (!t || s.login === 'mallory') continue
      const sum = result.get(`sub_${s.login}`) ?? { down: 0n, up: 0n }
      result.set(`sub_${s.login}`, { down: sum.down + t.down, up: sum.up + t.up })
    }
    return result
  }
  const counters = (s: LedgerStore) =>
    new Map(s.committed.samples.map((x) => [x.subscriberId, { down: x.down, up: x.up }]))
  /** The NAS sends each unanswered request again: the Start, then the latest report. */
  const retransmit = async () => {
    const unanswered = sessions.filter((s) => s.sent && (!s.started || s.acked?.down !== s.sent.down))
    await Promise.all(
      unanswered.map(async (s) => {
        if (!s.started) await report(s, start(s))
        if (s.sent!.status !== 'start') await report(s, s.sent!)
      }),
    )
  }

  let crashes = 0
  for (let step = 0; step < 100; step++) {
    // Requests that arrive together share appends.
    const batch = Array.from(
      { length: random.int(1, 8) },
      () => sessions[random.int(0, sessions.length - 1)]!,
    )
    await Promise.all(batch.map((s) => report(s, random.next() < 0.15 && s.sent ? s.sent : next(s))))
    if (crashedTo === undefined) continue
    crashes++
    await store.flush() // the old process's writes go to the old directory, which is dropped
    epoch++
    dir = crashedTo
    crashedTo = undefined
    store = await openStore(epoch)
    const got = counters(store)
    const acked = sums((s) => s.acked)
    const sent = sums((s) => s.sent)
    for (const login of LOGINS.slice(0, 3)) {
      const id = `sub_${login}`
      const have = got.get(id)!
      const low = acked.get(id) ?? { down: 0n, up: 0n }
      const high = sent.get(id) ?? { down: 0n, up: 0n }
      const at = `${where}, crash ${crashes} (${[...steps].map(([s, n]) => `${s} ×${n}`).join(', ')}): ${id}`
      expect(have.down >= low.down && have.up >= low.up, `${at} lost an answered report`).toBe(true)
      expect(have.down <= high.down && have.up <= high.up, `${at} holds more than was sent`).toBe(true)
    }
    await retransmit()
  }
  calm = true
  await retransmit()
  await store.flush()
  const want = sums((s) => s.sent)
  const exact = (s: LedgerStore) =>
    expect(
      counters(s),
      `${where}: after ${crashes} crashes (${[...steps].map(([s, n]) => `${s} ×${n}`).join(', ')})`,
    ).toEqual(
      new Map(LOGINS.slice(0, 3).map((l) => [`sub_${l}`, want.get(`sub_${l}`) ?? { down: 0n, up: 0n }])),
    )
  exact(store)
  exact(await openStore(-1)) // and again from the disk
  return { crashes, steps, torn: log.filter((line) => line.includes('cut')).length }
}

function readOptional(path: string): Buffer {
  return existsSync(path) ? readFileSync(path) : Buffer.alloc(0)
}

describe('the RADIUS ledger store, crashing at random points', () => {
  it(`keeps every answered report and counts each once (seed ${SEED}, ${ROUNDS} rounds)`, {
    timeout: 240_000,
  }, async () => {
    const seen = new Map<DiskStep, number>()
    let torn = 0
    for (let r = 0; r < ROUNDS; r++) {
      const result = await round(SEED + r)
      for (const [step, n] of result.steps) seen.set(step, (seen.get(step) ?? 0) + n)
      torn += result.torn
    }
    console.info(
      `seed ${SEED}: crashes before ${[...seen].map(([s, n]) => `${s} ×${n}`).join(', ')}; ${torn} torn tails cut`,
    )
    // The rounds must have reached every kind of crash point, or they proved less than they claim.
    if (ROUNDS >= 8)
      expect([...seen.keys()].sort()).toEqual(['append', 'cut-log', 'rename-file', 'write-file'])
  })
})
