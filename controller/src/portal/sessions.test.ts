import { describe, expect, it } from 'vitest'
import { checkData, emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import { applyOps } from '../store/wal-file.js'
import { endSession, findSession, SESSION_IDLE_MS, startSession } from './sessions.js'

describe('portal sessions in the store', () => {
  it('reads a version-1 document written before portal sessions existed', () => {
    const { portalSessions: _, ...old } = emptyData()
    expect(checkData(JSON.parse(JSON.stringify(old)), 'old.json').portalSessions).toEqual({})
  })

  it('keeps only the hash of the cookie value, and replays from the log', async () => {
    const data = emptyData()
    const store = new DocumentStore(data, null)
    const { cookieValue, session } = await store.transact((tx) => startSession(tx, 'sub_1', 1000))
    expect(JSON.stringify(data)).not.toContain(cookieValue)
    expect(await store.peek((tx) => findSession(tx, cookieValue, 2000))).toEqual(session)
    await store.transact((tx) => endSession(tx, session.id, 3000))
    expect(await store.peek((tx) => findSession(tx, cookieValue, 4000))).toBeUndefined()

    const replayed = emptyData()
    applyOps(replayed as never, [
      { o: 's', t: 'portalSessions', k: session.id, v: data.portalSessions[session.id] },
    ])
    expect(replayed.portalSessions[session.id]?.endedAtMs).toBe(3000)
  })

  it('finds no session past its idle limit', async () => {
    const store = new DocumentStore(emptyData(), null)
    const { cookieValue } = await store.transact((tx) => startSession(tx, 'sub_1', 0))
    expect(await store.peek((tx) => findSession(tx, cookieValue, SESSION_IDLE_MS))).toBeUndefined()
  })
})
