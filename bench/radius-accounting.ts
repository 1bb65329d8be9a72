/**
 * How many Accounting-Requests the agent's RADIUS listener answers per second, each only after the
 * ledger holding it is on disk: one NAS waiting for each answer before the next request, against
 * many requests in flight (group commit lets them share a write), with few and with many sessions
 * in the ledger (the whole file is rewritten per write). Ratios are against the first row, measured
 * in the same run. Standalone: `pnpm tsx bench/radius-accounting.ts`.
 */
import { createSocket } from 'node:dgram'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '@capd/log'
import { accountingAttributes } from '../agent/src/drivers/radius/accounting-record.js'
import { createRadiusAccounting } from '../agent/src/drivers/radius/accounting-server.js'
import { accountingRequest } from '../agent/src/drivers/radius/codec.js'

const SECRET = 'bench-secret'
const RUN_MS = 3000

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

const rows: [string, number][] = []
for (const [sessions, inFlight] of [
  [100, 1],
  [100, 64],
  [10_000, 1],
  [10_000, 64],
] as const) {
  rows.push([`${sessions} sessions, ${inFlight} in flight`, await rate(sessions, inFlight)])
}
const base = rows[0]![1]
console.log('\nRADIUS Accounting-Requests answered per second (each after its ledger write)')
for (const [what, perSecond] of rows) {
  console.log(`  ${what.padEnd(30)} ${perSecond.toFixed(0).padStart(7)}/s  ×${(perSecond / base).toFixed(2)}`)
}
