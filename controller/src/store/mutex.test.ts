import { describe, expect, it } from 'vitest'
import { Mutex } from './mutex.js'

describe('Mutex', () => {
  it('gives the lock in arrival order, one holder at a time', async () => {
    const mutex = new Mutex()
    const order: number[] = []
    let inside = 0
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const release = await mutex.lock()
        inside++
        expect(inside).toBe(1)
        order.push(i)
        if (i % 3 === 0) await new Promise((r) => setTimeout(r, 1))
        inside--
        release()
      }),
    )
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('lets the event loop turn between holders that waited', async () => {
    const mutex = new Mutex()
    const ran: string[] = []
    const first = await mutex.lock()
    const holders = Array.from({ length: 50 }, async (_, i) => {
      const release = await mutex.lock()
      ran.push(`holder ${i}`)
      release()
    })
    setImmediate(() => ran.push('loop'))
    first()
    await Promise.all(holders)
    // Handed on through promise callbacks alone, all fifty would run before the loop's turn.
    expect(ran.indexOf('loop')).toBeGreaterThan(-1)
    expect(ran.indexOf('loop')).toBeLessThan(3)
  })

  it('takes a free lock without waiting for the loop', async () => {
    const mutex = new Mutex()
    const ran: string[] = []
    setImmediate(() => ran.push('loop'))
    const release = await mutex.lock()
    ran.push('locked')
    release()
    await new Promise((r) => setImmediate(r))
    expect(ran).toEqual(['locked', 'loop'])
  })
})
