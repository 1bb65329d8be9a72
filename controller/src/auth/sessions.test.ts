import { describe, expect, it } from 'vitest'
import { checkData, emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import { migrateDocument } from '../store/migrations.js'
import { applyOps } from '../store/wal-file.js'
import {
  endSession,
  findSession,
  pruneSessions,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  startSession,
} from './sessions.js'

describe('sessions in the store', () => {
  it('reads a version-1 document written before portal sessions existed', () => {
    const { portalSessions: _, migrations: __, ...current } = emptyData()
    const old = JSON.parse(JSON.stringify({ ...current, version: 1 }))
    const { doc } = migrateDocument(old, 'old.json', { atMs: 0, capdVersion: 'test' })
    expect(checkData(doc, 'old.json').portalSessions).toEqual({})
  })

  it('never finds a portal session as an operator session, or the other way round', async () => {
    const store = new DocumentStore(emptyData(), null)
    const portal = await store.transact((tx) => startSession(tx.portalSessions, { subscriberId: 's' }, 0))
    const operator = await store.transact((tx) => startSession(tx.operatorSessions, { userId: 'u' }, 0))
    expect(await store.peek((tx) => findSession(tx.operatorSessions, portal.cookieValue, 1))).toBeUndefined()
    expect(await store.peek((tx) => findSession(tx.portalSessions, operator.cookieValue, 1))).toBeUndefined()
    expect(await store.peek((tx) => findSession(tx.operatorSessions, operator.cookieValue, 1))).toEqual(
      operator.session,
    )
  })

  it('keeps only the hash of the cookie value, and replays from the log', async () => {
    const data = emptyData()
    const store = new DocumentStore(data, null)
    const { cookieValue, session } = await store.transact((tx) =>
      startSession(tx.portalSessions, { subscriberId: 'sub_1' }, 1000),
    )
    expect(JSON.stringify(data)).not.toContain(cookieValue)
    expect(await store.peek((tx) => findSession(tx.portalSessions, cookieValue, 2000))).toEqual(session)
    await store.transact((tx) => endSession(tx.portalSessions, session.id, 3000))
    expect(await store.peek((tx) => findSession(tx.portalSessions, cookieValue, 4000))).toBeUndefined()

    const replayed = emptyData()
    applyOps(replayed as never, [
      { o: 's', t: 'portalSessions', k: session.id, v: data.portalSessions[session.id] },
    ])
    expect(replayed.portalSessions[session.id]?.endedAtMs).toBe(3000)
  })

  it('finds no session past its idle limit', async () => {
    const store = new DocumentStore(emptyData(), null)
    const { cookieValue } = await store.transact((tx) =>
      startSession(tx.portalSessions, { subscriberId: 'sub_1' }, 0),
    )
    expect(
      await store.peek((tx) => findSession(tx.portalSessions, cookieValue, SESSION_IDLE_MS)),
    ).toBeUndefined()
  })

  it('prunes sessions a day after they ended, idled out or expired, and logs the deletes', async () => {
    const data = emptyData()
    const store = new DocumentStore(data, null)
    const DAY = 86_400_000
    const live = await store.transact((tx) =>
      startSession(tx.portalSessions, { subscriberId: 'a' }, 10 * DAY),
    )
    const ended = await store.transact((tx) =>
      startSession(tx.portalSessions, { subscriberId: 'b' }, 10 * DAY),
    )
    await store.transact((tx) => endSession(tx.portalSessions, ended.session.id, 10 * DAY))
    const idle = await store.transact((tx) => startSession(tx.portalSessions, { subscriberId: 'c' }, 0))
    const now = 10 * DAY + DAY
    expect(await store.transact((tx) => pruneSessions(tx.portalSessions, now - 1, DAY))).toBe(1)
    expect(Object.keys(data.portalSessions).sort()).toEqual([live.session.id, ended.session.id].sort())
    expect(await store.transact((tx) => pruneSessions(tx.portalSessions, now, DAY))).toBe(1)
    expect(Object.keys(data.portalSessions)).toEqual([live.session.id])
    expect(idle.session.expiresAtMs).toBe(SESSION_MAX_MS)

    const replayed = emptyData()
    applyOps(replayed as never, [
      { o: 's', t: 'portalSessions', k: 'x', v: { id: 'x' } },
      { o: 'd', t: 'portalSessions', k: 'x' },
    ])
    expect(replayed.portalSessions).toEqual({})
  })

  it('undoes a delete when the transaction fails', async () => {
    const data = emptyData()
    const store = new DocumentStore(data, null)
    const s = await store.transact((tx) => startSession(tx.operatorSessions, { userId: 'u' }, 0))
    await expect(
      store.transact(async (tx) => {
        await tx.operatorSessions.delete(s.session.id)
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await store.peek((tx) => findSession(tx.operatorSessions, s.cookieValue, 1))).toEqual(s.session)
  })
})
