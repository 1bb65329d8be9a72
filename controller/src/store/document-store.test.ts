import { describe, expect, it } from 'vitest'
import { framedPayloads } from '../testing/framed-payloads.js'
import { emptyData } from './data.js'
import { DocumentStore, StoreFailedError } from './document-store.js'
import type { Subscriber } from './entities.js'
import { applyOps } from './wal-file.js'

const subscriber = (id: string, login: string): Subscriber => ({
  id,
  name: login,
  login,
  planId: 'pln_1',
  agentId: 'agt_1',
  address: `10.0.0.${id.length}`,
  billingDay: 1,
  balance: { amount: 0, currency: 'USD' },
  createdAtMs: 0,
  usedBytes: 0,
  usagePeriodStartMs: 0,
  state: 'open',
})

/** Persistence that records every append and can be held or made to fail. */
function recordingWriter() {
  /** Each write's records' payloads. */
  const writes: string[][] = []
  /** Every change appended so far, replayed onto a fresh document. */
  const replayed = () => {
    const doc = emptyData()
    for (const batch of writes) {
      for (const line of batch) applyOps(doc as unknown as Record<string, unknown>, JSON.parse(line).ops)
    }
    return doc
  }
  let gate: Promise<void> = Promise.resolve()
  let fail: Error | null = null
  return {
    writes,
    hold() {
      let open!: () => void
      gate = new Promise((resolve) => {
        open = resolve
      })
      return open
    },
    failWith(err: Error) {
      fail = err
    },
    replayed,
    persistence: {
      append: async (framed: Uint8Array) => {
        await gate
        if (fail) throw fail
        writes.push(framedPayloads(framed))
      },
      wantsSnapshot: () => false,
      snapshot: async () => {},
      logSize: () => 0,
      keepLogFrom: async () => {},
      close: async () => {},
    },
  }
}

describe('DocumentStore', () => {
  it('rolls back every change of a transaction that throws, indexes included', async () => {
    const data = emptyData()
    const store = new DocumentStore(data, null)
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_a', 'alice')))
    const before = JSON.stringify(data)
    await expect(
      store.transact(async (tx) => {
        await tx.subscribers.insert(subscriber('sub_b', 'bob'))
        await tx.subscribers.update({ ...subscriber('sub_a', 'alice'), name: 'changed' })
        await tx.nextSequence('invoice')
        await tx.audit.append({ id: 'aud_1', atMs: 1, actor: 'x', action: 'y', entity: 'z', entityId: 'w' })
        await tx.idempotency.put({ scope: 's', requestHash: 'h', status: 201, body: {}, createdAtMs: 1 })
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(JSON.stringify(data)).toBe(before)
    await store.transact(async (tx) => {
      expect(await tx.subscribers.byLogin('bob')).toBeUndefined()
      expect((await tx.subscribers.byLogin('ALICE'))?.name).toBe('alice')
      expect(await tx.nextSequence('invoice')).toBe(1)
      expect((await tx.subscribers.list()).map((s) => s.id)).toEqual(['sub_a'])
    })
  })

  it('keeps rows immutable so no caller can change the store outside a transaction', async () => {
    const store = new DocumentStore(emptyData(), null)
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_a', 'alice')))
    const row = await store.transact(async (tx) => tx.subscribers.get('sub_a'))
    expect(() => {
      ;(row as { name: string }).name = 'mallory'
    }).toThrow(TypeError)
    expect(() => {
      ;(row!.balance as { amount: number }).amount = 1e6
    }).toThrow(TypeError)
  })

  it('resolves a transaction only after its change is written', async () => {
    const writer = recordingWriter()
    const store = new DocumentStore(emptyData(), writer.persistence)
    const open = writer.hold()
    let done = false
    const pending = store
      .transact(async (tx) => tx.subscribers.insert(subscriber('sub_a', 'alice')))
      .then(() => {
        done = true
      })
    await new Promise((r) => setTimeout(r, 20))
    expect(done).toBe(false)
    open()
    await pending
    expect(done).toBe(true)
    expect(writer.replayed().subscribers.sub_a?.login).toBe('alice')
  })

  it('groups concurrent transactions into a few writes, each of them durable when it resolves', async () => {
    const writer = recordingWriter()
    const store = new DocumentStore(emptyData(), writer.persistence)
    const open = writer.hold()
    const all = Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.transact(async (tx) =>
          tx.subscribers.insert(subscriber(`sub_${String(i).padStart(2, '0')}`, `u${i}`)),
        ),
      ),
    )
    await new Promise((r) => setTimeout(r, 10))
    open()
    await all
    expect(writer.writes.length).toBeLessThanOrEqual(3)
    expect(Object.keys(writer.replayed().subscribers)).toHaveLength(50)
  })

  it('lets the loop turn while it logs a large transaction, and logs it whole', async () => {
    const writer = recordingWriter()
    const data = emptyData()
    const store = new DocumentStore(data, writer.persistence)
    let ticks = 0
    let ticksAtWrite = -1
    const append = writer.persistence.append
    writer.persistence.append = async (framed) => {
      ticksAtWrite = ticks
      return append(framed)
    }
    const timer = setInterval(() => ticks++, 1)
    let ticksAtEnd = -1
    try {
      await store.transact(async (tx) => {
        // ~8 MB of log record: tens of ms of JSON in one piece.
        for (let i = 0; i < 4000; i++)
          await tx.subscribers.insert({ ...subscriber(`sub_${i}`, `u${i}`), name: 'n'.repeat(2000) })
        ticksAtEnd = ticks
      })
    } finally {
      clearInterval(timer)
    }
    expect(ticksAtWrite).toBeGreaterThan(ticksAtEnd)
    expect(writer.writes).toHaveLength(1)
    expect(writer.replayed().subscribers).toEqual(JSON.parse(JSON.stringify(data.subscribers)))
  })

  it('rolls back a change that cannot be logged, and leaves no gap in the log', async () => {
    const writer = recordingWriter()
    const data = emptyData()
    const store = new DocumentStore(data, writer.persistence)
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_a', 'a')))
    await expect(
      store.transact(async (tx) => {
        for (let i = 0; i < 120; i++) await tx.subscribers.insert(subscriber(`sub_b${i}`, `b${i}`))
        // JSON cannot write a bigint: the record fails past its first breath.
        await tx.subscribers.insert({ ...subscriber('sub_c', 'c'), usedBytes: 1n as unknown as number })
      }),
    ).rejects.toThrow(/BigInt/)
    expect(Object.keys(data.subscribers)).toEqual(['sub_a'])
    await store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_d', 'd')))
    const versions = writer.writes.flat().map((line) => (JSON.parse(line) as { v: number }).v)
    expect(versions).toEqual([1, 2])
    expect(writer.replayed().subscribers).toEqual(JSON.parse(JSON.stringify(data.subscribers)))
  })

  it('makes a read wait for unwritten changes it can see, but not peek()', async () => {
    const writer = recordingWriter()
    const store = new DocumentStore(emptyData(), writer.persistence)
    const open = writer.hold()
    const write = store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_a', 'alice')))
    await new Promise((r) => setTimeout(r, 5))
    expect(await store.peek(async (tx) => (await tx.subscribers.get('sub_a'))?.login)).toBe('alice')
    let readDone = false
    const read = store
      .transact(async (tx) => tx.subscribers.get('sub_a'))
      .then(() => {
        readDone = true
      })
    await new Promise((r) => setTimeout(r, 20))
    expect(readDone).toBe(false)
    open()
    await Promise.all([write, read])
    expect(readDone).toBe(true)
    await expect(store.peek(async (tx) => tx.nextSequence('x'))).rejects.toThrow('peek() must not write')
  })

  it('stops for good after a failed write and tells its owner', async () => {
    const writer = recordingWriter()
    const store = new DocumentStore(emptyData(), writer.persistence)
    const failures: StoreFailedError[] = []
    store.onFailure((err) => failures.push(err))
    writer.failWith(new Error('ENOSPC: no space left on device'))
    await expect(
      store.transact(async (tx) => tx.subscribers.insert(subscriber('sub_a', 'a'))),
    ).rejects.toThrow(StoreFailedError)
    expect(failures).toHaveLength(1)
    expect(failures[0]!.message).toContain('ENOSPC')
    await expect(store.transact(async (tx) => tx.subscribers.list())).rejects.toThrow(
      /restart the controller/,
    )
  })

  it('pages subscribers by id with filters', async () => {
    const store = new DocumentStore(emptyData(), null)
    await store.transact(async (tx) => {
      for (const id of ['sub_c', 'sub_a', 'sub_e', 'sub_b', 'sub_d'])
        await tx.subscribers.insert(subscriber(id, id))
    })
    const page = await store.transact((tx) => tx.subscribers.find({ limit: 2 }))
    expect(page).toMatchObject({ nextCursor: 'sub_b' })
    expect(page.items.map((s) => s.id)).toEqual(['sub_a', 'sub_b'])
    const next = await store.transact((tx) => tx.subscribers.find({ limit: 2, after: 'sub_b' }))
    expect(next.items.map((s) => s.id)).toEqual(['sub_c', 'sub_d'])
    const last = await store.transact((tx) => tx.subscribers.find({ limit: 2, after: 'sub_d' }))
    expect(last).toEqual({ items: [expect.objectContaining({ id: 'sub_e' })], nextCursor: null })
  })
})
