/**
 * `capd backup` beside a real controller under a load of top-ups and payments, with a snapshot
 * every 2 KiB of log, so backups keep landing across snapshots: every backup must restore (with
 * `capd restore`) to a store that is internally consistent and is the live store at one moment:
 * it holds every request acknowledged before the backup began, and nothing not yet sent when it
 * ended. A controller then starts on a restored dir and serves what the backup held. And the
 * controller refuses to start on a store of another version than its own.
 * `CAPD_BACKUP_SEED=<n>` replays a run's choices.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { backupCommand } from '@capd/controller/commands/backup-command'
import { restoreCommand } from '@capd/controller/commands/restore-command'
import { seededRandom } from '@capd/protocol/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { apiClient, type Call } from './support/api-client.js'
import { type Op, opFactory, randomKind, runLoad, send } from './support/client-ops.js'
import { killAllControllers, startController } from './support/controller-process.js'
import { effectIndex, readDataDir, storeProblems } from './support/store-invariants.js'

const BACKUPS = 12
const SUBSCRIBERS = 3
const TOKEN = 'backup-test-admin-token-0123456789'
const SEED = Number(process.env.CAPD_BACKUP_SEED ?? Math.floor(Math.random() * 2 ** 32))

let work: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'capd-backup-live-'))
})

afterAll(async () => {
  await killAllControllers()
  if (work) await rm(work, { recursive: true, force: true })
})

describe('capd backup while the controller writes', () => {
  it(`restores every backup to a consistent store at one committed moment (seed ${SEED})`, async () => {
    const random = seededRandom(SEED)
    const makeOp = opFactory(random)
    const dataDir = join(work, 'live')
    const controller = await startController({
      dataDir,
      env: { CAPD_BOOTSTRAP_TOKEN: TOKEN },
      args: ['--snapshot-after-log-bytes', '2048'],
    })
    const call = apiClient(controller.baseUrl, TOKEN)
    const subscriberIds = await seed(call)
    const ops: Op[] = []
    for (const id of subscriberIds) {
      const opening = makeOp(id, 'payment', 10_000_000)
      ops.push(opening)
      expect((await send(call, opening))?.status).toBe(201)
    }

    let stopped = false
    const nextOp = () => {
      const op = makeOp(subscriberIds[random.int(0, SUBSCRIBERS - 1)]!, randomKind(random))
      ops.push(op)
      return op
    }
    const load = runLoad(call, nextOp, 4, () => stopped)
    // The commands print what they did; the test reads their exit codes and files instead.
    const quiet = [
      vi.spyOn(console, 'log').mockImplementation(() => {}),
      vi.spyOn(console, 'error').mockImplementation(() => {}),
    ]
    const snapshotVersions = new Set<number>()
    let restoredDir = ''
    try {
      for (let b = 0; b < BACKUPS; b++) {
        await new Promise((resolve) => setTimeout(resolve, random.int(20, 200)))
        snapshotVersions.add(await snapshotVersion(dataDir))
        const ackedBefore = ops.filter((op) => op.ack)
        const file = join(work, `b${b}.backup`)
        expect(await backupCommand(['--data', dataDir, '--out', file]), `backup ${b}`).toBe(0)
        const sentBy = ops.slice()
        restoredDir = join(work, `restored-${b}`)
        expect(await restoreCommand([file, '--data', restoredDir]), `restore ${b}`).toBe(0)

        const { doc, tornBytes } = await readDataDir(restoredDir)
        const where = `backup ${b} (CAPD_BACKUP_SEED=${SEED})`
        expect(tornBytes, where).toBe(0)
        // Only requests sent before the backup ended may be in it (any other would be "no request").
        expect(storeProblems(doc, sentBy, { acked: false }), where).toEqual([])
        const effects = effectIndex(doc)
        const missing = ackedBefore.filter((op) => !effects(op).includes(op.ack!.id)).map((op) => op.key)
        expect(missing, `${where}: acknowledged before it began, not in it`).toEqual([])
      }
    } finally {
      stopped = true
      await load
      for (const spy of quiet) spy.mockRestore()
    }
    // The backups did run across snapshots.
    expect(snapshotVersions.size, `snapshot versions seen: ${[...snapshotVersions]}`).toBeGreaterThan(3)
    expect(ops.filter((op) => op.refused).map((op) => op.key)).toEqual([])
    expect(await controller.stop()).toBe(0)

    // A controller starts on the last restored dir and answers with what the backup held.
    const { doc } = await readDataDir(restoredDir)
    const restored = await startController({ dataDir: restoredDir, env: { CAPD_BOOTSTRAP_TOKEN: TOKEN } })
    const again = apiClient(restored.baseUrl, TOKEN)
    for (const id of subscriberIds) {
      const sub = await again('GET', `/subscribers/${id}`)
      expect(sub.status).toBe(200)
      expect(sub.body.balance).toEqual(doc.subscribers[id]!.balance)
    }
    expect(await restored.stop()).toBe(0)
  }, 180_000)
})

describe('the controller on a store of another version', () => {
  it('refuses a newer store (no downgrade) and an older one (run capd migrate) with exit code 2, which the unit does not restart, leaving both as they were', async () => {
    for (const [version, message] of [
      [3, /store version 3, newer than this capd's 2: .*never downgrades a store/],
      [1, /store version 1, older than this capd's 2\. .*capd migrate --data DIR/],
    ] as const) {
      const dataDir = join(work, `version-${version}`)
      await mkdir(dataDir)
      const doc = JSON.stringify({ format: 'capd-store', version, plans: {}, committedVersion: 0 })
      await writeFile(join(dataDir, 'capd.json'), doc)
      const refused = await startController({ dataDir }).then(
        () => expect.fail('the controller started'),
        (err: Error) => err.message,
      )
      expect(refused).toMatch(/exited \(code 2\) before it was ready/)
      expect(refused).toMatch(message)
      expect(await readFile(join(dataDir, 'capd.json'), 'utf8')).toBe(doc)
    }
  })
})

async function snapshotVersion(dataDir: string): Promise<number> {
  const text = await readFile(join(dataDir, 'capd.json'), 'utf8').catch(() => '{}')
  return (JSON.parse(text) as { committedVersion?: number }).committedVersion ?? 0
}

async function seed(call: Call): Promise<string[]> {
  const plan = await call('POST', '/plans', {
    name: 'Backup 10 GB',
    capBytes: 10_000_000_000,
    onCap: 'block',
  })
  expect(plan.status, JSON.stringify(plan.body)).toBe(201)
  const agent = await call('POST', '/agents', { name: 'backup-tower' })
  expect(agent.status, JSON.stringify(agent.body)).toBe(201)
  const ids: string[] = []
  for (let i = 1; i <= SUBSCRIBERS; i++) {
    const sub = await call('POST', '/subscribers', {
      name: `Backup ${i}`,
      login: `backup-${i}`,
      planId: plan.body.id,
      agentId: agent.body.id,
      address: `10.0.8.${i}`,
    })
    expect(sub.status, JSON.stringify(sub.body)).toBe(201)
    ids.push(sub.body.id)
  }
  return ids
}
