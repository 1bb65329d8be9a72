/** Tests for DurableJSONFile against the real file system, including SIGKILL in the middle of writes. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Low } from 'lowdb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DurableJSONFile, StoreCorruptError } from './durable-json-file.js'

interface Doc {
  generation: number
  filler: string
}

let dir: string
let file: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capd-store-'))
  file = join(dir, 'db.json')
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const doc = (generation: number, fillerBytes = 10): Doc => ({ generation, filler: 'x'.repeat(fillerBytes) })
const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'))

async function corruptErrorFrom(promise: Promise<unknown>): Promise<StoreCorruptError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(StoreCorruptError)
  return error as StoreCorruptError
}

describe('DurableJSONFile', () => {
  it('reads null for a fresh store and round-trips what it wrote', async () => {
    expect(await new DurableJSONFile<Doc>(file).read()).toBeNull()
    const data = { generation: 1, filler: 'zażółć 💸', invoices: [{ amountMinor: 1999, currency: 'EUR' }] }
    await new DurableJSONFile(file).write(data)
    expect(await new DurableJSONFile(file).read()).toEqual(data)
    expect(await readdir(dir)).toEqual(['db.json'])
    // Customers' data: readable by the controller's user only.
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('works as a lowdb adapter', async () => {
    const db = new Low(new DurableJSONFile<{ subscribers: string[] }>(file), { subscribers: [] })
    await db.read()
    await db.update(({ subscribers }) => subscribers.push('alice'))
    const again = new Low(new DurableJSONFile<{ subscribers: string[] }>(file), { subscribers: [] })
    await again.read()
    expect(again.data).toEqual({ subscribers: ['alice'] })
  })

  it('keeps the previous generation in .prev', async () => {
    const store = new DurableJSONFile<Doc>(file)
    await store.write(doc(1))
    expect(await readdir(dir)).toEqual(['db.json'])
    await store.write(doc(2))
    expect(await readJson(`${file}.prev`)).toEqual(doc(1))
    await store.write(doc(3))
    expect(await readJson(`${file}.prev`)).toEqual(doc(3 - 1))
    expect(await readJson(file)).toEqual(doc(3))
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.prev'])
  })

  it('writes text its caller serialised', async () => {
    const store = new DurableJSONFile<Doc>(file)
    await store.writeText(JSON.stringify(doc(1)))
    await store.writeText(JSON.stringify(doc(2)))
    expect(await store.read()).toEqual(doc(2))
    expect(await readJson(`${file}.prev`)).toEqual(doc(1))
  })

  it('writes a document given in chunks, and leaves the file as it was when the chunks fail', async () => {
    const store = new DurableJSONFile<Doc>(file)
    const text = JSON.stringify(doc(1, 5000))
    async function* chunks(failAt?: number) {
      for (let at = 0; at < text.length; at += 700) {
        if (failAt !== undefined && at >= failAt) throw new Error('serialising failed')
        yield text.slice(at, at + 700)
      }
    }
    expect(await store.writeChunks(chunks())).toBe(Buffer.byteLength(text))
    expect(await store.read()).toEqual(doc(1, 5000))
    await expect(store.writeChunks(chunks(2800))).rejects.toThrow('serialising failed')
    expect(await store.read()).toEqual(doc(1, 5000))
    expect((await readdir(dir)).sort()).toEqual(['db.json'])
  })

  it.each([
    ['0 bytes', ''],
    ['whitespace', ' \n\t\n'],
  ])(
    'refuses an empty store file (%s) and names the valid backup with the restore command',
    async (_, text) => {
      const store = new DurableJSONFile<Doc>(file)
      await store.write(doc(1))
      await store.write(doc(2))
      await writeFile(file, text)

      const error = await corruptErrorFrom(new DurableJSONFile<Doc>(file).read())
      expect(error.filePath).toBe(file)
      expect(error.backupPath).toBe(`${file}.prev`)
      expect(error.message).toContain(`${file} is empty (${Buffer.byteLength(text)} bytes)`)
      expect(error.message).toContain(`The backup ${file}.prev is valid JSON`)
      expect(error.message).toContain(`\n  cp ${file}.prev ${file}`)
      // Nothing was reset or repaired behind the operator's back.
      expect(await readFile(file, 'utf8')).toBe(text)
      expect(await readJson(`${file}.prev`)).toEqual(doc(1))
    },
  )

  it('refuses a truncated store file, giving the position, and says when there is no backup', async () => {
    await new DurableJSONFile<Doc>(file).write(doc(1, 100))
    await truncate(file, 50)

    const error = await corruptErrorFrom(new DurableJSONFile<Doc>(file).read())
    // V8 says "Unterminated string" here; the point is the position and the diagnosis.
    expect(error.message).toMatch(
      / is not valid JSON \(.+ at position 50: the file ends mid-document, so it looks truncated; 50 bytes\)/,
    )
    expect(error.message).toContain(`There is no backup (${file}.prev does not exist)`)
    expect(error.message).not.toContain('cp ')
    expect((await stat(file)).size).toBe(50)
  })

  it('reports V8’s position for a syntax error, and a backup that is broken too', async () => {
    await writeFile(file, '{"generation":1,}')
    await writeFile(`${file}.prev`, '{"generation":')

    const error = await corruptErrorFrom(new DurableJSONFile<Doc>(file).read())
    expect(error.message).toMatch(/is not valid JSON \(.* at position 16.*; 17 bytes\)/)
    expect(error.message).toContain(
      `The backup ${file}.prev is not valid JSON (Unexpected end of JSON input at position 14: the file ends`,
    )
    expect(error.message).toContain('too; restore from an off-machine backup')
  })

  it('refuses a store file holding JSON null, which lowdb would silently replace with defaults', async () => {
    await writeFile(file, 'null')
    const error = await corruptErrorFrom(new DurableJSONFile<Doc>(file).read())
    expect(error.message).toContain(`${file} holds JSON null`)
  })

  it('refuses to start when the store file is missing but its backup exists', async () => {
    const store = new DurableJSONFile<Doc>(file)
    await store.write(doc(1))
    await store.write(doc(2))
    await rm(file)

    const error = await corruptErrorFrom(new DurableJSONFile<Doc>(file).read())
    expect(error.message).toContain(`${file} is missing, but its backup ${file}.prev exists`)
    expect(error.message).toContain(`\n  cp ${file}.prev ${file}`)
  })

  it('quotes paths in the restore command for the shell', async () => {
    const odd = join(dir, "it's here", 'db.json')
    await mkdir(join(dir, "it's here"))
    await writeFile(`${odd}.prev`, '{}')
    const error = await corruptErrorFrom(new DurableJSONFile<Doc>(odd).read())
    expect(error.message).toContain(
      `\n  cp '${dir}/it'\\''s here/db.json.prev' '${dir}/it'\\''s here/db.json'`,
    )
  })

  it('ignores and removes leftovers of an interrupted write', async () => {
    await new DurableJSONFile<Doc>(file).write(doc(7))
    await writeFile(`${file}.tmp`, '{"generation":8,"fil')
    await writeFile(`${file}.prev.tmp`, 'garbage')

    expect(await new DurableJSONFile<Doc>(file).read()).toEqual(doc(7))
    expect(await readdir(dir)).toEqual(['db.json'])
  })

  it('refuses data that would not read back, leaving the file as it was', async () => {
    const store = new DurableJSONFile<unknown>(file)
    await store.write(doc(1))
    await expect(store.write({ bytes: 1n })).rejects.toThrow(TypeError)
    await expect(store.write(null)).rejects.toThrow(`refusing to write "null" to ${file}`)
    await expect(store.write(undefined)).rejects.toThrow(`refusing to write undefined to ${file}`)
    await expect(store.writeText(' \n')).rejects.toThrow(`refusing to write " \\n" to ${file}`)
    expect(await readJson(file)).toEqual(doc(1))
  })

  it('keeps serving writes after one fails', async () => {
    const nested = join(dir, 'not-yet', 'db.json')
    const store = new DurableJSONFile<Doc>(nested)
    await expect(store.write(doc(1))).rejects.toMatchObject({ code: 'ENOENT' })
    await mkdir(join(dir, 'not-yet'))
    await store.write(doc(2))
    expect(await store.read()).toEqual(doc(2))
  })

  it('serialises concurrent writes: the last one wins and every state in between is whole', async () => {
    const store = new DurableJSONFile<Doc>(file)
    await store.write(doc(0))
    const generations = 40
    const writes = Array.from({ length: generations }, (_, i) => store.write(doc(i + 1, 200_000)))
    let writing = true
    // allSettled, so a failing run still waits for every write before afterEach removes the dir.
    const settled = Promise.allSettled(writes).finally(() => {
      writing = false
    })

    const seen: unknown[] = []
    while (writing) {
      seen.push(await readJson(file).then((d) => (d as Doc).generation, String))
    }
    expect((await settled).filter(({ status }) => status === 'rejected')).toEqual([])

    expect(await readJson(file)).toEqual(doc(generations, 200_000))
    expect(await readJson(`${file}.prev`)).toEqual(doc(generations - 1, 200_000))
    expect(seen.length).toBeGreaterThan(1)
    expect(seen.filter((g) => typeof g !== 'number')).toEqual([])
    expect(seen).toEqual([...(seen as number[])].sort((a, b) => a - b))
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.prev'])
  })
})

describe('DurableJSONFile under SIGKILL', () => {
  const moduleUrl = pathToFileURL(fileURLToPath(new URL('./durable-json-file.ts', import.meta.url))).href
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  // Runs the real module (through tsx) and acknowledges each generation once write() has resolved.
  const writer = `
    import { DurableJSONFile } from ${JSON.stringify(moduleUrl)}
    const store = new DurableJSONFile(process.argv[1])
    const start = ((await store.read())?.generation ?? 0) + 1
    const filler = 'x'.repeat(1_000_000)
    process.stdout.write('ready\\n')
    for (let generation = start; ; generation++) {
      await store.write({ generation, filler })
      process.stdout.write(generation + '\\n')
    }
  `

  it('never loses an acknowledged write and never leaves a file that does not parse', async () => {
    // Two generations up front, so every round starts with a store file and a backup to check.
    // Of the writer's size: a round killed before its first write leaves these, and they are checked alike.
    const seed = new DurableJSONFile<Doc>(file)
    await seed.write(doc(0, 1_000_000))
    await seed.write(doc(1, 1_000_000))
    let acknowledged = 1
    let killedMidWrite = 0
    for (let round = 0; round < 20; round++) {
      // node itself, not the tsx CLI: that runs the script in a grandchild which SIGKILL would not reach.
      const child = spawn(
        process.execPath,
        ['--import', tsxLoader, '--input-type=module', '-e', writer, file],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      const exited = once(child, 'exit')
      let output = ''
      let ready: () => void
      const isReady = new Promise<void>((r) => {
        ready = r
      })
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk
        if (output.startsWith('ready\n')) ready()
      })
      await Promise.race([isReady, exited])
      await sleep(5 + Math.random() * 145)
      child.kill('SIGKILL')
      const [code, signal] = await exited
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' })

      const lines = output.split('\n')
      const complete = lines.slice(1, -1).map(Number)
      if (complete.length > 0) acknowledged = complete.at(-1)!
      if (await stat(`${file}.tmp`).catch(() => undefined)) killedMidWrite++

      const main = await new DurableJSONFile<Doc>(file).read()
      expect(main).not.toBeNull()
      // At most the one write that was in flight got further than its acknowledgement.
      expect(main!.generation - acknowledged).toBeGreaterThanOrEqual(0)
      expect(main!.generation - acknowledged).toBeLessThanOrEqual(1)
      expect(main!.filler).toHaveLength(1_000_000)
      const previous = (await readJson(`${file}.prev`)) as Doc
      expect(previous.generation).toBeGreaterThanOrEqual(main!.generation - 1)
      expect(previous.generation).toBeLessThanOrEqual(main!.generation)
      acknowledged = main!.generation
    }
    expect(acknowledged).toBeGreaterThan(20)
    // Not an assertion on the outcome: a note that the rounds did hit writes in flight.
    console.info(
      `SIGKILL rounds with a write in flight: ${killedMidWrite}/20, generations written: ${acknowledged}`,
    )
  }, 120_000)
})
