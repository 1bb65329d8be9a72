/**
 * The store SIGKILLed at random moments while it commits and writes slow background snapshots:
 * reopened, it holds every acknowledged transaction, and no transaction without the ones before it.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { openLowdbStore } from './lowdb-store.js'

const moduleUrl = (name: string) => pathToFileURL(fileURLToPath(new URL(name, import.meta.url))).href
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const WRITERS = 4
const ROUNDS = 16

/**
 * Runs the real store (through tsx) with every snapshot chunk held up to 40 ms, so snapshots take
 * long and commits pile up behind and beside them. Each writer commits one plan at a time and
 * prints its id once the commit has resolved; "snapshot"/"snapshot written" bracket each snapshot
 * file write (the log is cut just after).
 */
const child = `
  import { openLowdbStore } from ${JSON.stringify(moduleUrl('./lowdb-store.ts'))}
  import { DurableJSONFile } from ${JSON.stringify(moduleUrl('./durable-json-file.ts'))}
  const [dir, round] = process.argv.slice(1)
  const writeChunks = DurableJSONFile.prototype.writeChunks
  DurableJSONFile.prototype.writeChunks = function (chunks) {
    const slow = async function* () {
      for await (const chunk of chunks) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 40))
        yield chunk
      }
    }
    process.stdout.write('snapshot\\n')
    return writeChunks.call(this, slow()).then((bytes) => {
      process.stdout.write('snapshot written\\n')
      return bytes
    })
  }
  const store = await openLowdbStore(dir, () => {}, { snapshotAfterLogBytes: 1500 })
  process.stdout.write('ready\\n')
  const writer = async (w) => {
    for (let k = 0; ; k++) {
      const id = 'pln_' + round + '_' + w + '_' + k
      await store.transact((tx) => tx.plans.insert({ id, name: id, capBytes: 1, onCap: 'block', createdAtMs: 0 }))
      process.stdout.write(id + '\\n')
    }
  }
  for (let w = 0; w < ${WRITERS}; w++) writer(w)
`

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('the store under SIGKILL during background snapshots', () => {
  it('reopens with every acknowledged commit, each writer a gapless prefix of what it sent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-snapshot-crash-'))
    dirs.push(dir)
    const acknowledged = new Set<string>()
    let killedInSnapshot = 0
    let snapshots = 0
    for (let round = 0; round < ROUNDS; round++) {
      // node itself, not the tsx CLI: that runs the script in a grandchild which SIGKILL would not reach.
      const proc = spawn(
        process.execPath,
        ['--import', tsxLoader, '--input-type=module', '-e', child, dir, String(round)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      const exited = once(proc, 'exit')
      let output = ''
      let ready: () => void
      const isReady = new Promise<void>((resolve) => {
        ready = resolve
      })
      proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk
        if (output.startsWith('ready\n')) ready()
      })
      await Promise.race([isReady, exited])
      await sleep(100 + Math.random() * 300)
      proc.kill('SIGKILL')
      const [code, signal] = await exited
      expect({ code, signal, output: output.slice(0, 200) }).toMatchObject({ code: null, signal: 'SIGKILL' })

      const lines = output.split('\n').slice(1, -1) // the last one may be cut short
      for (const line of lines) if (line.startsWith('pln_')) acknowledged.add(line)
      const marks = lines.filter((line) => line.startsWith('snapshot'))
      snapshots += marks.filter((line) => line === 'snapshot').length
      if (marks.at(-1) === 'snapshot') killedInSnapshot++

      // A kill leaves the lock behind, and may leave half an append: both are said, and expected.
      const store = await openLowdbStore(dir, (line) => {
        if (!/took over .*capd\.lock|the last append was interrupted/.test(line))
          expect.fail(`unexpected store message: ${line}`)
      })
      const present = new Set((await store.peek((tx) => tx.plans.list())).map((p) => p.id))
      await store.close()
      const missing = [...acknowledged].filter((id) => !present.has(id))
      expect(missing, `round ${round}: acknowledged but lost`).toEqual([])
      for (let w = 0; w < WRITERS; w++) {
        const mine = [...present].filter((id) => id.startsWith(`pln_${round}_${w}_`))
        const ks = mine.map((id) => Number(id.split('_')[3])).sort((a, b) => a - b)
        expect(ks, `round ${round} writer ${w}: a gapless prefix`).toEqual(ks.map((_, i) => i))
      }
    }
    expect(acknowledged.size).toBeGreaterThan(ROUNDS * WRITERS)
    // The rounds did kill the store while a snapshot was being written, not only between them.
    expect(snapshots).toBeGreaterThan(ROUNDS)
    expect(killedInSnapshot).toBeGreaterThan(0)
    console.info(
      `SIGKILL rounds during a snapshot: ${killedInSnapshot}/${ROUNDS}, snapshots started: ${snapshots}, commits acknowledged: ${acknowledged.size}`,
    )
  }, 120_000)
})
