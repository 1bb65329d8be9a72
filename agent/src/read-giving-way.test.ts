import { describe, expect, it } from 'vitest'
import type { CounterReading, RouterDriver } from './drivers/driver.js'
import { ReadGivingWay } from './read-giving-way.js'

const READING: CounterReading = { atMs: 0, bootId: 'b', samples: [] }

/** A router whose reading waits until it is released or stopped; every call is noted. */
function slowRouter() {
  const calls: Array<{ signal: AbortSignal | undefined }> = []
  let release = () => {}
  const driver = {
    kind: 'test',
    readCounters(signal?: AbortSignal) {
      calls.push({ signal })
      return new Promise<CounterReading>((resolve, reject) => {
        release = () => resolve(READING)
        signal?.addEventListener('abort', () => reject(signal.reason))
      })
    },
  } as unknown as RouterDriver
  return { driver, calls, release: () => release() }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('ReadGivingWay', () => {
  it('stops a reading for a push, waits for the pushes, then reads to the end without a signal', async () => {
    const router = slowRouter()
    let pushesDone = () => {}
    const waited: string[] = []
    const reads = new ReadGivingWay(
      router.driver,
      () => {
        waited.push('pushes')
        return new Promise<void>((resolve) => {
          pushesDone = resolve
        })
      },
      () => 1000 * router.calls.length,
    )
    const read = reads.read(true)
    await tick()
    expect(router.calls.map((c) => c.signal !== undefined)).toEqual([true])
    reads.pushWaiting()
    await tick()
    expect(waited).toEqual(['pushes'])
    expect(router.calls).toHaveLength(1)
    pushesDone()
    await tick()
    expect(router.calls.map((c) => c.signal !== undefined)).toEqual([true, false])
    // A push now does not stop the reading again.
    reads.pushWaiting()
    router.release()
    const { reading, startedAtMs } = await read
    expect(reading).toBe(READING)
    // Stamped when the reading that made it began.
    expect(startedAtMs).toBe(1000)
  })

  it('never stops a reading not stoppable (a free-window edge), nor one that has ended', async () => {
    const router = slowRouter()
    const reads = new ReadGivingWay(
      router.driver,
      () => Promise.reject(new Error('not asked')),
      () => 0,
    )
    const edge = reads.read(false)
    await tick()
    reads.pushWaiting()
    router.release()
    await expect(edge).resolves.toMatchObject({ reading: READING })
    expect(router.calls.map((c) => c.signal)).toEqual([undefined])

    const done = reads.read(true)
    await tick()
    router.release()
    await done
    reads.pushWaiting()
    expect(router.calls).toHaveLength(2)
  })

  it("passes on the router's own failures", async () => {
    const failing = {
      kind: 'test',
      readCounters: () => Promise.reject(new Error('nft: no such table')),
    } as unknown as RouterDriver
    const reads = new ReadGivingWay(
      failing,
      () => Promise.resolve(),
      () => 0,
    )
    await expect(reads.read(true)).rejects.toThrow('nft: no such table')
  })
})
