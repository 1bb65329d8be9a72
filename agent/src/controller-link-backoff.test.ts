import { PROTOCOL_VERSION } from '@capd/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { ControllerLink, type LinkTimers } from './controller-link.js'
import { fakeController } from './testing-fake-controller.js'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

const HEALTHY_AFTER_MS = 60_000

/**
 * Timers on a simulated clock: a reconnect wait passes at once (its length is added to the
 * clock); the "connection stayed healthy" timer never fires, as refused connections never last.
 */
function simulatedTimers() {
  const clock = { nowMs: 0, waits: [] as number[] }
  const timers: LinkTimers = {
    set(fn, ms) {
      if (ms >= HEALTHY_AFTER_MS) return undefined
      clock.waits.push(ms)
      clock.nowMs += ms
      return setImmediate(fn)
    },
    clear(handle) {
      if (handle) clearImmediate(handle as NodeJS.Immediate)
    },
  }
  return { clock, timers }
}

function link(url: string, timers: LinkTimers) {
  const l = new ControllerLink(
    url,
    'capda_agt_x.secret',
    {
      hello: () => ({
        v: PROTOCOL_VERSION,
        type: 'hello',
        agentId: 'agt_x',
        epoch: 'e1',
        lastSeq: 0,
        agentVersion: 't',
        driver: 'sim',
      }),
      message: () => {},
      connected: () => {},
      disconnected: () => {},
      log: () => {},
    },
    {
      minBackoffMs: 500,
      maxBackoffMs: 30_000,
      healthyAfterMs: HEALTHY_AFTER_MS,
      random: () => 0.999,
      timers,
    },
  )
  cleanup.push(() => l.close())
  return l
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!check()) throw new Error('condition not reached within 5 s')
}

describe('reconnecting to a controller that refuses the agent', () => {
  it('backs off further after each refused connection instead of starting over on connect', async () => {
    // Every connection is accepted, then the agent's first message is refused and the socket closed.
    const controller = await fakeController((socket) => {
      socket.send(JSON.stringify({ v: 1, type: 'error', code: 'foreign_subscriber', message: 'no' }))
      socket.close(1008, 'foreign_subscriber')
    })
    cleanup.push(() => controller.close())
    const { clock, timers } = simulatedTimers()
    link(controller.url, timers).start()
    await until(() => controller.connections >= 12)

    // Over 10 simulated minutes: a few attempts while backing off, then one every 30 s at most.
    const attemptsIn10Minutes = clock.waits.reduce(
      (acc, ms) => (acc.t + ms <= 600_000 ? { t: acc.t + ms, n: acc.n + 1 } : acc),
      { t: 0, n: 0 },
    )
    expect(clock.nowMs).toBeGreaterThan(60_000)
    expect(attemptsIn10Minutes.n).toBeLessThan(30)
    for (let i = 1; i < clock.waits.length; i++) {
      expect(clock.waits[i]).toBeGreaterThanOrEqual(Math.min(clock.waits[i - 1]!, 29_000))
    }
  })

  it('starts over once a connection got an ack', async () => {
    let refusals = 0
    const controller = await fakeController((socket) => {
      if (refusals++ < 6) {
        socket.close(1008, 'refused')
        return
      }
      socket.send(JSON.stringify({ v: 1, type: 'ack', epoch: 'e1', seq: 1 }))
      setTimeout(() => socket.close(1001, 'going away'), 20)
    })
    cleanup.push(() => controller.close())
    const { clock, timers } = simulatedTimers()
    link(controller.url, timers).start()
    await until(() => clock.waits.length >= 8)
    expect(clock.waits[5]).toBeGreaterThan(10_000)
    // The 7th connection was acked: the wait after it is back to the first one's.
    expect(clock.waits[6]).toBeLessThanOrEqual(clock.waits[0]!)
  })
})
