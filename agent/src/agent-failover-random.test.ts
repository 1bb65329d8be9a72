/**
 * Two controllers killed, restarted, made to refuse and to crash mid-report at random moments
 * while the agent counts and reports usage. What the protocol guarantees: a journal entry keeps
 * its (agent, epoch, seq) for good, the agent re-sends everything after the last ack to whichever
 * controller it reaches next, and a controller books only seqs above the store's (agent, epoch)
 * high-water mark, raising it in the same transaction. With the controllers on one shared store
 * every entry is therefore booked exactly once, wherever it was sent and however often; entries
 * sent twice (to a controller that crashed before acking, then to the other) arrive as duplicates
 * and are ignored. Controllers on separate stores would each book what they were sent.
 */
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, describe, expect, it } from 'vitest'
import type { BookingController } from './testing-booking-controllers.js'
import { type FailoverRig, failoverRig } from './testing-failover-agent.js'

const rigs: FailoverRig[] = []
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('an agent reporting to two controllers that fail at random', () => {
  it.each([11, 23, 37, 41, 59, 73])(
    'gets every journal entry booked exactly once (seed %i)',
    { timeout: 30_000 },
    async (seed) => {
      const rnd = seededRandom(seed)
      const r = await failoverRig(['A', 'B'], { subscribers: rnd.int(1, 5) })
      rigs.push(r)
      await r.synced()
      const pick = (): BookingController => r.controllers[rnd.int(0, r.controllers.length - 1)]!
      const done = { kills: 0, crashes: 0, refusals: 0, polls: 0 }
      for (let step = 0; step < 150; step++) {
        const roll = rnd.next()
        const c = pick()
        if (roll < 0.45) {
          await r.poll(rnd.int(200, 3000))
          done.polls++
        } else if (roll < 0.55) {
          if (c.running) done.kills++
          await c.kill()
        } else if (roll < 0.7) {
          await c.start()
        } else if (roll < 0.8) {
          c.crashOnUsage = rnd.next() < 0.5 ? 'before' : 'after'
          done.crashes++
        } else if (roll < 0.87) {
          // 500, not 401: a 401 from both at once is the end of the link by design (see the link tests).
          c.upgrade = c.upgrade === 'accept' ? 500 : 'accept'
          if (c.upgrade !== 'accept') done.refusals++
        } else {
          await sleep(rnd.int(0, 60))
        }
        await sleep(rnd.int(0, 3))
      }
      for (const c of r.controllers) {
        c.upgrade = 'accept'
        c.crashOnUsage = undefined
        await c.start()
      }
      await r.poll(1000)
      await r.drained()

      const { epoch, journal } = r.agent.snapshot()
      const seqs = Array.from({ length: journal.lastSeq }, (_, i) => i + 1)
      // Every entry reached some controller...
      const sent = new Set(r.controllers.flatMap((c) => c.usage.flatMap((u) => u.seqs)))
      for (const seq of seqs) expect(sent.has(seq), `seq ${seq} sent`).toBe(true)
      // ...and the store booked each once, without a gap, for the bytes the agent counted.
      expect([...r.ledger.booked.keys()].sort()).toEqual(seqs.map((s) => `${epoch}:${s}`).sort())
      expect(r.ledger.gaps).toEqual([])
      expect(r.ledger.totalBytes).toBe(r.countedBytes())
      expect(journal.lastSeq).toBeGreaterThan(0)
      // The run did move the agent around: it connected again at least once (how often depends on
      // how the random kills fall against the link's timers).
      expect(r.controllers.reduce((n, c) => n + c.connections, 0)).toBeGreaterThanOrEqual(2)
      expect(done.kills + done.crashes).toBeGreaterThan(5)
    },
  )
})
