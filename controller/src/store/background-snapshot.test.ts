/** A snapshot written in the background, a slice at a time, while transactions go on committing. */
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { framedPayloads } from '../testing/framed-payloads.js'
import { type Data, emptyData } from './data.js'
import { DocumentStore, type Persistence, StoreFailedError } from './document-store.js'
import { documentChunks } from './document-view.js'
import type { Subscriber } from './entities.js'
import type { Tx } from './store.js'
import { applyOps } from './wal-file.js'

const SEED = Number(process.env.CAPD_SNAPSHOT_SEED ?? Math.floor(Math.random() * 2 ** 32))

const subscriber = (id: string, name = id): Subscriber => ({
  id,
  name,
  login: id,
  planId: 'pln_1',
  agentId: 'agt_1',
  address: `10.0.${id.length}.1`,
  billingDay: 1,
  balance: { amount: 0, currency: 'USD' },
  createdAtMs: 0,
  usedBytes: 0,
  usagePeriodStartMs: 0,
  state: 'open',
})

/** Persistence that writes snapshots in tiny chunks and runs `between` after each, as slow disks let commits in. */
function slowSnapshots(between: () => Promise<void>) {
  const state = {
    armed: false,
    fail: undefined as Error | undefined,
    /** Every appended log line, in order. */
    logged: [] as string[],
    /** The log as it is: what was appended, less what the cuts dropped. */
    log: [] as string[],
    snapshots: [] as { version: number; text: string }[],
    cuts: [] as string[],
  }
  const persistence: Persistence = {
    append: async (framed) => {
      const appended = framedPayloads(framed)
      state.logged.push(...appended)
      state.log.push(...appended)
    },
    wantsSnapshot: () => state.armed,
    snapshot: async (view) => {
      state.armed = false
      let text = ''
      for await (const chunk of documentChunks(view, { sliceMs: 0, chunkChars: 100 })) {
        text += chunk
        await between()
        if (state.fail) throw state.fail
      }
      state.snapshots.push({ version: view.version, text })
    },
    // A line counts as one unit of the log's size here.
    logSize: () => state.log.length,
    keepLogFrom: async (offset) => {
      state.log = state.log.slice(offset)
      state.cuts.push(state.log.map((line) => `${line}\n`).join(''))
    },
    close: async () => {},
  }
  return { persistence, state }
}

/** The document as plain JSON values, the form a snapshot parses back to. */
const plain = (data: Data) => JSON.parse(JSON.stringify(data)) as Record<string, unknown>

describe('a background snapshot', () => {
  it(`holds exactly the document at its version while commits change it, and the log keeps only what follows (seed ${SEED})`, async () => {
    const random = seededRandom(SEED)
    const data = emptyData()
    let version = 0
    const states = new Map<number, string>([[0, JSON.stringify(data)]])
    let made = 0
    let inSnapshot = 0
    const live = () => Object.keys(data.subscribers)
    const pick = (ids: string[]) => ids[random.int(0, ids.length - 1)]

    /** One random change, of the kinds every table and list of the document gets. */
    const change = async (tx: Tx) => {
      const n = ++made
      const ids = live()
      const sessions = Object.keys(data.portalSessions)
      const kind = random.int(0, 8)
      if (kind === 0 || ids.length < 3) await tx.subscribers.insert(subscriber(`sub_${n}`))
      else if (kind === 1) await tx.subscribers.update(subscriber(pick(ids)!, `renamed ${n}`))
      else if (kind === 2 && sessions.length > 0) await tx.portalSessions.delete(pick(sessions)!)
      else if (kind === 2 || kind === 8) {
        const at = { createdAtMs: n, lastSeenAtMs: n, expiresAtMs: n + 1 }
        await tx.portalSessions.insert({ id: `ses_${n}`, csrfToken: 't', subscriberId: pick(ids)!, ...at })
      } else if (kind === 3) {
        // A renewed key moves to the end: the order is the records' age order.
        const scopes = Object.keys(data.idempotency)
        const scope = scopes.length > 0 && random.next() < 0.5 ? pick(scopes)! : `key ${n}`
        await tx.idempotency.put({ scope, requestHash: `h${n}`, status: 201, body: { n }, createdAtMs: n })
      } else if (kind === 4) await tx.idempotency.prune(n - random.int(0, 20))
      else if (kind === 5)
        await tx.audit.append({
          id: `aud_${n}`,
          atMs: n,
          actor: 'a',
          action: 'x',
          entity: 'e',
          entityId: `${n}`,
        })
      else if (kind === 6) await tx.audit.prune(n - random.int(0, 20))
      else await tx.nextSequence(`seq/${random.int(0, 2)}`)
    }
    const commit = async () => {
      const changed = await store
        .transact(async (tx) => {
          const before = made
          for (let i = random.int(1, 3); i > 0; i--) await change(tx)
          // Now and then a transaction fails after its changes: they are undone, and never reach the view.
          if (random.next() < 0.15) throw new Error('refused')
          return made > before
        })
        .catch(() => false)
      // The version a commit made is the one its log line names (transactions here run one at a time).
      const last = state.logged.at(-1)
      if (changed && last) {
        version = (JSON.parse(last) as { v: number }).v
        states.set(version, JSON.stringify(data))
      }
    }

    let armingDone = () => {}
    // Commits overlap only after the one that starts the snapshot is in: the model reads a
    // commit's version from the log, which holds while one transaction runs at a time.
    const armed = new Promise<void>((resolve) => {
      armingDone = resolve
    })
    const { persistence, state } = slowSnapshots(async () => {
      await armed
      for (let i = random.int(0, 3); i > 0; i--) {
        inSnapshot++
        await commit()
      }
    })
    const store = new DocumentStore(data, persistence)
    for (let i = 0; i < 200; i++) await commit()
    state.armed = true
    while (state.armed) await commit() // until one commits: a snapshot starts with its batch
    armingDone()
    await store.snapshotSettled()

    expect(state.snapshots).toHaveLength(1)
    expect(inSnapshot, 'commits went on while the snapshot was written').toBeGreaterThan(5)
    const [{ version: at, text }] = state.snapshots as [{ version: number; text: string }]
    const written = JSON.parse(text) as Record<string, unknown>
    const expected = JSON.parse(states.get(at)!) as Record<string, unknown>
    expect(written.committedVersion).toBe(at)
    delete written.committedVersion
    expect(written, `seed ${SEED}`).toEqual(expected)
    // toEqual ignores key order; the idempotency records' order is their age order, so it must hold too.
    expect(Object.keys(written.idempotency as object)).toEqual(Object.keys(expected.idempotency as object))
    expect(at).toBeLessThan(version)

    // The log is cut to exactly the records after the snapshot, and the two together are the store now.
    const after = state.logged.filter((line) => (JSON.parse(line) as { v: number }).v > at)
    expect(state.cuts).toEqual([after.map((line) => `${line}\n`).join('')])
    for (const line of after) applyOps(written, (JSON.parse(line) as { ops: never[] }).ops)
    expect(written).toEqual(plain(data))
    await store.close()
  })

  it('fails the store when it cannot be written, and leaves the log whole', async () => {
    const { persistence, state } = slowSnapshots(async () => {})
    const store = new DocumentStore(emptyData(), persistence)
    const failures: StoreFailedError[] = []
    store.onFailure((err) => failures.push(err))
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_a')))
    state.armed = true
    state.fail = new Error('ENOSPC: no space left on device')
    // The commit that starts the snapshot is in the log: it is durable, whatever becomes of the snapshot.
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_b')))
    await store.snapshotSettled()
    expect(failures.map((f) => f.message)).toEqual([
      'the store can no longer write (ENOSPC: no space left on device); restart the controller',
    ])
    await expect(store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_c')))).rejects.toThrow(
      StoreFailedError,
    )
    expect(state.cuts).toEqual([])
    expect(state.logged).toHaveLength(2)
  })

  it('is waited for by close, which then writes the last snapshot and empties the log', async () => {
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let waiting = false
    const { persistence, state } = slowSnapshots(async () => {
      if (state.snapshots.length > 0) return
      waiting = true
      await held
    })
    const data = emptyData()
    const store = new DocumentStore(data, persistence)
    state.armed = true
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_a')))
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_b')))
    expect(waiting).toBe(true)
    const closed = store.close()
    release()
    await closed
    expect(state.snapshots.map((s) => s.version)).toEqual([1, 2])
    expect(state.cuts).toEqual([
      state.logged
        .slice(1)
        .map((line) => `${line}\n`)
        .join(''),
      '',
    ])
    const last = JSON.parse(state.snapshots[1]!.text) as Record<string, unknown>
    delete last.committedVersion
    expect(last).toEqual(plain(data))
  })
})
