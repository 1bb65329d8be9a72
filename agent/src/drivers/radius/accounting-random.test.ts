/**
 * RADIUS accounting through a real agent, at random: sessions of several subscribers start, send
 * Interims (past 4 GiB) and stop, side by side; packets are duplicated, retransmitted, overlap and
 * older Interims arrive late; the agent polls at random moments and crashes at random points (its
 * state dir copied as it is on disk at that moment, a new agent started on the copy). What the
 * last agent has booked must be, per subscriber, exactly the sum of its sessions' last totals.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '@capd/log'
import { agentToken, PROTOCOL_VERSION, type SubscriberLimit } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent } from '../../agent.js'
import { loadAgentConfig } from '../../config.js'
import { fakeController } from '../../testing-fake-controller.js'
import type { AccountingRecord } from './accounting-record.js'
import { createRadiusAccounting, type RadiusAccounting } from './accounting-server.js'
import { createRadiusDriver } from './radius-driver.js'
import { testNas } from './testing-nas.js'

const SEED = Number(process.env.CAPD_TEST_SEED ?? Math.floor(Math.random() * 2 ** 32))
const SECRET = 'random-test-secret'
const LOGINS = ['alice', 'bob', 'carol']
const DAY = 86_400_000

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

const limits: SubscriberLimit[] = LOGINS.map((login, i) => ({
  subscriberId: `sub_${login}`,
  login,
  address: `10.0.0.${i + 2}`,
  periodStart: new Date(Date.now() - 10 * DAY).toISOString(),
  periodEnd: new Date(Date.now() + 20 * DAY).toISOString(),
  limitBytes: 1e15,
  usedBytes: 0,
  limitVersion: 1,
  onCap: 'block',
}))

const testLog = createLogger({ name: 'radius-random', level: 'warn' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The checkpoint and its state logs as one set: copied again if a compaction replaced the
 * checkpoint (and deleted the logs it covers) while they were being read.
 */
async function copyAgentState(from: string, to: string): Promise<void> {
  const read = (name: string) =>
    readFile(join(from, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw err
    })
  for (;;) {
    const checkpoint = await read('state.json')
    const names = (await readdir(from)).filter((name) => /^state\.\d+\.log$/.test(name))
    const logs = await Promise.all(names.map(async (name) => [name, await read(name)] as const))
    const again = await read('state.json')
    if (checkpoint === undefined || again === undefined || !checkpoint.equals(again)) continue
    await writeFile(join(to, 'state.json'), checkpoint)
    for (const [name, bytes] of logs) if (bytes) await writeFile(join(to, name), bytes)
    return
  }
}

describe('RADIUS accounting through the agent, at random', () => {
  it(`books every session's last totals exactly once (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const random = seededRandom(SEED)
    const controller = await fakeController((socket) =>
      socket.send(
        JSON.stringify({ v: PROTOCOL_VERSION, type: 'sync', serverTimeMs: Date.now(), subscribers: limits }),
      ),
    )
    cleanup.push(() => controller.close())
    // Removed last, once every agent has stopped writing to them.
    const dirs: string[] = []
    cleanup.push(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))
    const freshDir = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'capd-radius-random-'))
      dirs.push(dir)
      return dir
    }
    let stateDir = await freshDir()

    let port = 0
    let source!: RadiusAccounting
    let agent!: Agent
    const start = async () => {
      const config = await loadAgentConfig({
        controller: controller.url,
        token: agentToken('agt_radiusrandom', 'radius-random-secret-0123456789'),
        stateDir,
        pollIntervalMs: 60_000,
        fastPollIntervalMs: 60_000,
        router: { kind: 'radius', clients: [{ address: '127.0.0.0/8', secret: SECRET }] },
      })
      source = createRadiusAccounting({
        host: '127.0.0.1',
        port,
        clients: [{ address: '127.0.0.0/8', secret: SECRET }],
        stateDir,
        log: (await import('@capd/log')).createLogger({ name: 't', level: 'warn' }),
      })
      agent = await Agent.start(config, createRadiusDriver(source), { logger: testLog })
      if (port === 0) port = source.port // the NAS sends there from then on
      // The port was free between the old listener's close and this bind; another process binding
      // an ephemeral port may take it meanwhile, and the NAS would then go unanswered until it gives
      // up (about 22 s): say so rather than time out.
      expect(source.port, `the restarted listener could not bind port ${port} again`).toBe(port)
    }
    await start()
    cleanup.push(() => agent.stop())
    /**
     * A crash: nothing is answered from this moment (the socket goes first), and the files are taken
     * as they are; the agent's before the ledger, which is then no older than any counter position
     * the journal holds, as on a real disk where the ledger is written before it is read.
     */
    const crash = async () => {
      const old = { agent, source, dir: stateDir }
      await old.source.close()
      stateDir = await freshDir()
      await copyAgentState(old.dir, stateDir)
      for (const file of ['journal.log', 'radius-ledger.json', 'radius-ledger.log']) {
        await copyFile(join(old.dir, file), join(stateDir, file)).catch((err) => {
          if (err.code !== 'ENOENT') throw err
        })
      }
      await old.agent.stop()
      await start()
    }
    // Sessions count from when their subscriber's counter exists: wait for the first sync's apply.
    await expect.poll(async () => (await source.readCounters()).samples.length, { timeout: 5000 }).toBe(3)
    const nas = await testNas(port, SECRET)
    cleanup.push(() => nas.close())

    const expected = new Map<string, { down: bigint; up: bigint }>()
    const session = async (n: number) => {
      await sleep(random.int(0, 300))
      const login = random.next() < 0.1 ? 'mallory' : LOGINS[random.int(0, LOGINS.length - 1)]!
      const startedMs = Date.now()
      const base = {
        sessionId: `s${n}`,
        userName: login,
        nasIp: '192.0.2.1',
        framedIp: `100.64.0.${n}`,
        delayS: 0,
      }
      const sent: AccountingRecord[] = []
      const inFlight: Promise<void>[] = []
      let down = 0n
      let up = 0n
      const send = async (record: AccountingRecord) => {
        sent.push(record)
        const request = nas.build(record)
        const delivery = nas.deliver(request)
        if (random.next() < 0.2) nas.fire(request) // the same packet twice
        if (random.next() < 0.15 && sent.length > 2) {
          // An older report, arriving late as a new packet.
          inFlight.push(nas.deliver(nas.build(sent[random.int(0, sent.length - 2)]!)))
        }
        // Sometimes the next report goes before this one is answered (they may arrive reordered).
        if (random.next() < 0.2) inFlight.push(delivery)
        else await delivery
        await sleep(random.int(0, 60))
      }
      const totals = (status: AccountingRecord['status']): AccountingRecord => ({
        ...base,
        status,
        down,
        up,
        sessionTimeS: Math.floor((Date.now() - startedMs) / 1000),
      })
      await send({ ...totals('start'), down: 0n, up: 0n })
      const interims = random.int(0, 6)
      for (let i = 0; i <= interims; i++) {
        down += BigInt(random.int(0, 3 * 2 ** 30))
        up += BigInt(random.int(0, 2 ** 28))
        await send(totals(i < interims ? 'interim' : 'stop'))
      }
      await Promise.all(inFlight)
      if (login === 'mallory') return
      const sum = expected.get(`sub_${login}`) ?? { down: 0n, up: 0n }
      expected.set(`sub_${login}`, { down: sum.down + down, up: sum.up + up })
    }

    const sessions = Promise.all(Array.from({ length: 16 }, (_, n) => session(n + 1)))
    let done = false
    void sessions.finally(() => {
      done = true
    })
    let restarts = 0
    // At least two crashes a run, and more at random.
    const forced = new Set([random.int(1, 8), random.int(9, 16)])
    for (let step = 0; !done; step++) {
      await sleep(random.int(0, 80))
      if (forced.has(step) || random.next() < 0.08) {
        await crash()
        restarts++
      } else {
        await agent.pollNow()
      }
    }
    await sessions
    await agent.pollNow()

    console.info(`seed ${SEED}: ${restarts} crashes, ${nas.answers} answers`)
    const booked = Object.entries(agent.snapshot().books).map(([id, book]) => [id, book.usedBytes])
    const want = limits.map(({ subscriberId: id }) => {
      const sum = expected.get(id)
      return [id, sum ? Number(sum.down + sum.up) : 0]
    })
    expect(Object.fromEntries(booked)).toEqual(Object.fromEntries(want))
  })
})
