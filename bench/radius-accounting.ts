/**
 * How many Accounting-Requests the agent's RADIUS ledger makes durable per second: one NAS waiting
 * for each answer before the next request, against many requests in flight (group commit lets them
 * share a write), with few and with many sessions in the ledger. First the store alone, the
 * whole-file writer capd had before the log (the baseline, radius-whole-file-ledger.ts) against the
 * log, in the same run; then the real listener over UDP, each answer sent after its record is on
 * disk. Standalone: `pnpm tsx bench/radius-accounting.ts`.
 */
import { createSocket } from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@capd/log'
import { accountingAttributes } from '../agent/src/drivers/radius/accounting-record.js'
import { createRadiusAccounting } from '../agent/src/drivers/radius/accounting-server.js'
import { accountingRequest } from '../agent/src/drivers/radius/codec.js'
import { LedgerStore } from '../agent/src/drivers/radius/ledger-store.js'
import { WholeFileLedgerStore } from './radius-whole-file-ledger.js'

const SECRET = 'bench-secret'
const RUN_MS = 2500

async function rate(sessions: number, inFlight: number): Promise<number> {
  const stateDir = await mkdtemp(join(tmpdir(), 'capd-bench-radius-'))
  const source = createRadiusAccounting({
    host: '127.0.0.1',
    port: 0,
    clients: [{ address: '127.0.0.1', secret: SECRET }],
    stateDir,
    log: silentLogger,
  })
  await source.start()
  await source.track(
    Array.from({ length: 100 }, (_, i) => ({
      subscriberId: `sub_${i}`,
      login: `user${i}`,
      address: `10.0.${i >> 8}.${i & 255}`,
      state: 'open' as const,
    })),
  )
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const waiting = new Map<number, () => void>()
  socket.on('message', (response) => waiting.get(response[1]!)?.())
  let octets = 0
  const request = (id: number, session: number, status: 'start' | 'interim') => {
    const record = {
      status,
      sessionId: `s${session}`,
      userName: `user${session % 100}`,
      nasIp: '192.0.2.1',
      down: BigInt(octets++ * 1000),
      up: 0n,
      sessionTimeS: 1,
      delayS: 0,
    }
    return accountingRequest(id, accountingAttributes(record), SECRET)
  }
  const send = (id: number, bytes: Buffer) =>
    new Promise<void>((resolve) => {
      const retry = setInterval(() => socket.send(bytes, source.port, '127.0.0.1'), 500)
      waiting.set(id, () => {
        clearInterval(retry)
        waiting.delete(id)
        resolve()
      })
      socket.send(bytes, source.port, '127.0.0.1')
    })
  // Fill the ledger with open sessions first.
  for (let s = 0; s < sessions; s += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, sessions - s) }, (_, k) => send(k, request(k, s + k, 'start'))),
    )
  }
  let answered = 0
  const until = performance.now() + RUN_MS
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      while (performance.now() < until) {
        await send(lane, request(lane, (answered + lane) % sessions, 'interim'))
        answered++
      }
    }),
  )
  const perSecond = (answered * 1000) / (performance.now() - started)
  socket.close()
  await source.close()
  await rm(stateDir, { recursive: true, force: true })
  return perSecond
}

interface Store {
  ledger: LedgerStore['ledger']
  commit(): Promise<void>
  flush(): Promise<void>
}

/** Requests made durable per second by a store alone: record, commit, and the next once it resolves. */
async function storeRate(kind: 'whole file' | 'log', sessions: number, inFlight: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'capd-bench-ledger-'))
  const path = join(dir, 'radius-ledger.json')
  const store: Store =
    kind === 'log'
      ? await LedgerStore.open(path, Date.now(), { log: () => {} })
      : new WholeFileLedgerStore(path)
  for (let i = 0; i < 100; i++) store.ledger.createCounter(`sub_${i}`, `user${i}`)
  const record = (session: number, status: 'start' | 'interim', down: bigint) =>
    store.ledger.record(
      {
        status,
        sessionId: `s${session}`,
        userName: `user${session % 100}`,
        nasIp: '192.0.2.1',
        down,
        up: 0n,
        sessionTimeS: 1,
        delayS: 0,
      },
      'nas',
      Date.now(),
    )
  for (let s = 0; s < sessions; s++) record(s, 'start', 0n)
  await store.commit()
  await store.flush()
  let done = 0
  const until = performance.now() + RUN_MS
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      while (performance.now() < until) {
        record((done + lane) % sessions, 'interim', BigInt(++done * 1000))
        await store.commit()
      }
    }),
  )
  const perSecond = (done * 1000) / (performance.now() - started)
  await store.flush()
  await rm(dir, { recursive: true, force: true })
  return perSecond
}

const shapes = [
  [100, 1],
  [100, 64],
  [10_000, 1],
  [10_000, 64],
] as const
const fmt = (n: number) => `${n.toFixed(0).padStart(7)}/s`
console.log('\nRADIUS ledger, requests made durable per second (store alone, same run)')
console.log(
  `  ${'sessions, in flight'.padEnd(24)} ${'whole file'.padStart(9)} ${'log'.padStart(9)}   log/whole file`,
)
for (const [sessions, inFlight] of shapes) {
  // Interleaved, so load from elsewhere on the machine falls on both.
  const whole = await storeRate('whole file', sessions, inFlight)
  const log = await storeRate('log', sessions, inFlight)
  console.log(
    `  ${`${sessions}, ${inFlight}`.padEnd(24)} ${fmt(whole)} ${fmt(log)}   ×${(log / whole).toFixed(1)}`,
  )
}
console.log(
  '\nRADIUS Accounting-Requests answered per second over UDP (each after its log record is on disk)',
)
for (const [sessions, inFlight] of shapes) {
  console.log(
    `  ${`${sessions} sessions, ${inFlight} in flight`.padEnd(30)} ${fmt(await rate(sessions, inFlight))}`,
  )
}
