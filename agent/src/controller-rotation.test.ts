import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { ControllerRotation } from './controller-rotation.js'

describe('ControllerRotation', () => {
  it('refuses an empty list', () => {
    expect(() => new ControllerRotation([])).toThrow(/no controller URL/)
  })

  it('with one controller: every failure is a whole round, and one refusal is all of them', () => {
    const r = new ControllerRotation(['ws://a'])
    expect(r.failed(false)).toEqual({ roundOver: true, allRefused: false })
    expect(r.current).toBe('ws://a')
    expect(r.failed(true)).toEqual({ roundOver: true, allRefused: true })
  })

  it.each([1, 2, 3, 4, 5])(
    'against a model over random failures, refusals and proven connections (seed %i)',
    (seed) => {
      const rnd = seededRandom(seed)
      const n = rnd.int(2, 5)
      const urls = Array.from({ length: n }, (_, i) => `ws://c${i}`)
      const r = new ControllerRotation(urls)
      let index = 0
      let failuresThisRound = 0
      const lastAnswer: ('refused' | 'other')[] = urls.map(() => 'other')
      let backoffs = 0
      for (let step = 0; step < 500; step++) {
        expect(r.current).toBe(urls[index])
        const roll = rnd.next()
        if (roll < 0.15) {
          r.proven()
          failuresThisRound = 0
        } else if (roll < 0.3) {
          r.opened()
          lastAnswer[index] = 'other'
        } else {
          const refused = rnd.next() < 0.3
          lastAnswer[index] = refused ? 'refused' : 'other'
          const got = r.failed(refused)
          failuresThisRound++
          // A whole round: as many failures as controllers since the last useful connection or wait.
          const roundOver = failuresThisRound === n
          if (roundOver) failuresThisRound = 0
          if (roundOver) backoffs++
          expect(got).toEqual({ roundOver, allRefused: lastAnswer.every((a) => a === 'refused') })
          // Always the next one: never back to the first of the list because it is first.
          index = (index + 1) % n
        }
      }
      expect(backoffs).toBeGreaterThan(0)
    },
  )
})
