/** Tests for the data dir lock against the real file system and real processes. */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acquireDataDirLock, DataDirLockedError, type LockHolder } from './lock-file.js'

let dir: string
let lockPath: string
const children: ChildProcess[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capd-lock-'))
  lockPath = join(dir, 'capd.lock')
})

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

const readHolder = async (): Promise<LockHolder> => JSON.parse(await readFile(lockPath, 'utf8'))
const writeHolder = (holder: LockHolder) => writeFile(lockPath, JSON.stringify(holder))
const startedAt = '2024-01-02T03:04:05.000Z'

async function lockedErrorFrom(promise: Promise<unknown>): Promise<DataDirLockedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DataDirLockedError)
  return error as DataDirLockedError
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'])
  await once(child, 'exit')
  return child.pid!
}

describe('acquireDataDirLock', () => {
  it('writes who holds the lock, and release removes it', async () => {
    const before = Date.now()
    const lock = await acquireDataDirLock(dir)
    expect(lock.lockPath).toBe(lockPath)
    const holder = await readHolder()
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() })
    expect(Date.parse(holder.startedAt)).toBeGreaterThanOrEqual(before - 1)
    // The lock is linked into place from a draft; no draft is left behind.
    expect(await readdir(dir)).toEqual(['capd.lock'])

    await lock.release()
    expect(await readdir(dir)).toEqual([])
    await lock.release()
  })

  it('refuses a second acquire while this process holds the lock, and allows it after release', async () => {
    const lock = await acquireDataDirLock(dir)
    const held = await readFile(lockPath, 'utf8')

    const error = await lockedErrorFrom(acquireDataDirLock(dir))
    expect(error.lockPath).toBe(lockPath)
    expect(error.holder?.pid).toBe(process.pid)
    expect(error.message).toContain(`data dir ${dir} is in use by controller pid ${process.pid}`)
    expect(error.message).toContain(`if it is not running remove ${lockPath}`)
    expect(await readFile(lockPath, 'utf8')).toBe(held)

    await lock.release()
    const again = await acquireDataDirLock(dir)
    expect((await readHolder()).pid).toBe(process.pid)
    await again.release()
  })

  it('refuses while another live process on this host holds the lock', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'])
    children.push(other)
    await once(other, 'spawn')
    await writeHolder({ pid: other.pid!, host: hostname(), startedAt })

    const error = await lockedErrorFrom(acquireDataDirLock(dir))
    expect(error.message).toContain(
      `in use by controller pid ${other.pid} on host ${hostname()} (started ${startedAt})`,
    )
    expect(await readHolder()).toEqual({ pid: other.pid, host: hostname(), startedAt })
  })

  it('refuses a lock from another host, whose processes it cannot see', async () => {
    const pid = await deadPid()
    await writeHolder({ pid, host: 'elsewhere.example', startedAt })

    const error = await lockedErrorFrom(acquireDataDirLock(dir))
    expect(error.message).toContain('on host elsewhere.example')
    expect(error.message).toContain('cannot check whether it is still running')
    expect((await readHolder()).host).toBe('elsewhere.example')
  })

  it('takes over the lock of a controller that died', async () => {
    const pid = await deadPid()
    await writeHolder({ pid, host: hostname(), startedAt })

    const said: string[] = []
    const lock = await acquireDataDirLock(dir, (line) => said.push(line))
    expect((await readHolder()).pid).toBe(process.pid)
    expect(await readdir(dir)).toEqual(['capd.lock'])
    // Said once, so an operator sees that the last controller did not stop cleanly.
    expect(said).toHaveLength(1)
    expect(said[0]).toContain(`pid ${pid}`)
    await lock.release()
  })

  it('takes over a lock naming our pid that this process never took (pid reuse, e.g. pid 1 in a container)', async () => {
    await writeHolder({ pid: process.pid, host: hostname(), startedAt })
    const lock = await acquireDataDirLock(dir)
    expect((await readHolder()).startedAt).not.toBe(startedAt)
    await lock.release()
  })

  it.each([
    ['empty', ''],
    ['not JSON', 'pid=123\n'],
    [
      'a pid of 0, which kill() would read as the process group',
      JSON.stringify({ pid: 0, host: hostname(), startedAt }),
    ],
    ['no host', JSON.stringify({ pid: 1, startedAt })],
  ])('takes over a garbage lock file (%s)', async (_, content) => {
    await writeFile(lockPath, content)
    const lock = await acquireDataDirLock(dir)
    expect((await readHolder()).pid).toBe(process.pid)
    expect(await readdir(dir)).toEqual(['capd.lock'])
    await lock.release()
  })

  it('release leaves alone a lock that someone else has taken over since', async () => {
    const lock = await acquireDataDirLock(dir)
    const successor = JSON.stringify({ pid: 999_999, host: hostname(), startedAt })
    await writeFile(lockPath, successor)

    await lock.release()
    expect(await readFile(lockPath, 'utf8')).toBe(successor)
  })
})
