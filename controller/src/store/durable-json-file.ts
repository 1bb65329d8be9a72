/** A lowdb adapter that writes JSON crash-safely (fsync + atomic rename) and keeps the previous generation. */
import { type FileHandle, link, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Adapter } from 'lowdb'
import { fsyncDirectory } from './fsync.js'

/** The store file cannot be trusted; the controller must not start on it. The message says how to recover. */
export class StoreCorruptError extends Error {
  override readonly name = 'StoreCorruptError'
  readonly filePath: string
  readonly backupPath: string

  constructor(message: string, filePath: string, backupPath: string) {
    super(message)
    this.filePath = filePath
    this.backupPath = backupPath
  }
}

export interface DurableJSONFileOptions {
  /**
   * What else restoring the backup loses, for the refusal message (files that continue the
   * damaged generation), and the commands that set them aside.
   */
  backupLacks?: () => Promise<{ what: string; commands: string[] } | undefined>
}

export class DurableJSONFile<T> implements Adapter<T> {
  readonly filePath: string
  readonly backupPath: string
  private readonly tmpPath: string
  private readonly backupTmpPath: string
  // Every read and write starts after the previous one settles: two writes sharing `.tmp` would corrupt it.
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    filePath: string,
    private readonly options: DurableJSONFileOptions = {},
  ) {
    this.filePath = filePath
    this.backupPath = `${filePath}.prev`
    this.tmpPath = `${filePath}.tmp`
    this.backupTmpPath = `${filePath}.prev.tmp`
  }

  /** Resolves once `data` is on disk and survives a power cut; on failure the store file is untouched. */
  async write(data: T): Promise<void> {
    // Serialised at call time, not when its turn comes, so what the caller passed is exactly what lands.
    return this.writeSerialised(JSON.stringify(data) as string | undefined)
  }

  /** write() for a caller that serialised the document itself; `json` must be JSON.stringify output. */
  async writeText(json: string): Promise<void> {
    return this.writeSerialised(json)
  }

  /**
   * write() for a document serialised a chunk at a time (the store's snapshots): each chunk is
   * written as it comes, so neither the whole text nor its encoding is ever held at once. Resolves
   * to the bytes written. The chunks must add up to one JSON document.
   */
  async writeChunks(chunks: AsyncIterable<string>): Promise<number> {
    return this.enqueue(async () => {
      let bytes = 0
      await this.commit(async (tmp) => {
        for await (const chunk of chunks) {
          const encoded = Buffer.from(chunk, 'utf8')
          await tmp.writeFile(encoded) // from the current position, looping over short writes
          bytes += encoded.length
        }
      })
      return bytes
    })
  }

  private writeSerialised(json: string | undefined): Promise<void> {
    // Each would read back as "no store yet" (lowdb then starts over from defaults) or as corrupt.
    if (json === undefined || json === 'null' || json.trim() === '') {
      throw new TypeError(
        `refusing to write ${JSON.stringify(json)} to ${this.filePath}: it is not a document`,
      )
    }
    const bytes = Buffer.from(json, 'utf8')
    return this.enqueue(() => this.commit((tmp) => tmp.writeFile(bytes)))
  }

  /** Loads the store at boot: null for a fresh store, StoreCorruptError for anything that cannot be trusted. */
  async read(): Promise<T | null> {
    return this.enqueue(() => this.load())
  }

  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    const result = this.queue.then(task)
    this.queue = result.catch(() => {})
    return result
  }

  private async commit(fill: (tmp: FileHandle) => Promise<void>): Promise<void> {
    try {
      const tmp = await open(this.tmpPath, 'w', 0o600)
      try {
        await fill(tmp)
        await tmp.sync()
      } finally {
        await tmp.close()
      }
      await this.keepPreviousGeneration()
      await rename(this.tmpPath, this.filePath)
    } catch (error) {
      await rm(this.tmpPath, { force: true })
      throw error
    }
    // The renames are durable only once the directory itself is on disk.
    await fsyncDirectory(dirname(this.filePath))
  }

  // Link + rename instead of moving the live file aside, so `filePath` exists at every instant and
  // `.prev` is always a whole file: the inode the old `filePath` named, fsynced when it was written.
  private async keepPreviousGeneration(): Promise<void> {
    await rm(this.backupTmpPath, { force: true })
    try {
      await link(this.filePath, this.backupTmpPath)
    } catch (error) {
      if (isNotFound(error)) return
      throw error
    }
    await rename(this.backupTmpPath, this.backupPath)
  }

  private async load(): Promise<T | null> {
    // Leftovers of a write interrupted before its rename; the store file still holds the previous state.
    await rm(this.tmpPath, { force: true })
    await rm(this.backupTmpPath, { force: true })

    let text: string
    try {
      text = await readFile(this.filePath, 'utf8')
    } catch (error) {
      if (!isNotFound(error)) throw error
      if (!(await exists(this.backupPath))) return null
      // capd never removes the store file once it exists, so something else did.
      throw await this.corrupt(`${this.filePath} is missing, but its backup ${this.backupPath} exists.`)
    }
    const parsed = parseStore(text)
    if (!parsed.ok) throw await this.corrupt(`${this.filePath} ${parsed.problem}.`)
    return parsed.value as T
  }

  private async corrupt(what: string): Promise<StoreCorruptError> {
    const lines = [`${what} Refusing to start rather than silently begin with an empty store.`]
    const backup = await readFile(this.backupPath, 'utf8').catch((error: unknown) => error)
    if (typeof backup === 'string') {
      const parsed = parseStore(backup)
      if (parsed.ok) {
        const { mtime } = await stat(this.backupPath)
        const also = await this.options.backupLacks?.()
        lines.push(
          `The backup ${this.backupPath} is valid JSON: the previous generation, written ${mtime.toISOString()}. ` +
            `It lacks every change committed after ${mtime.toISOString()}: ` +
            `${also?.what ?? `whatever the damaged ${this.filePath} held beyond it`}. ` +
            'Check it, then restore it (this overwrites the damaged file; copy that aside first if you want to inspect it):',
          `  cp ${shellQuote(this.backupPath)} ${shellQuote(this.filePath)}`,
          ...(also?.commands ?? []).map((command) => `  ${command}`),
        )
      } else {
        lines.push(`The backup ${this.backupPath} ${parsed.problem} too; restore from an off-machine backup.`)
      }
    } else if (isNotFound(backup)) {
      lines.push(
        `There is no backup (${this.backupPath} does not exist); restore from an off-machine backup.`,
      )
    } else {
      lines.push(`The backup ${this.backupPath} could not be read: ${String(backup)}`)
    }
    return new StoreCorruptError(lines.join('\n'), this.filePath, this.backupPath)
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string }

function parseStore(text: string): Parsed {
  const size = Buffer.byteLength(text)
  if (text.trim() === '') return { ok: false, problem: `is empty (${size} bytes)` }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, problem: `is not valid JSON (${describeParseError(error, text)}; ${size} bytes)` }
  }
  if (value === null) return { ok: false, problem: 'holds JSON null instead of a document' }
  return { ok: true, value }
}

// V8 gives no position for some truncations ("Unexpected end of JSON input"), and truncation, the
// typical damage from a write that was never fsynced, is worth naming outright.
function describeParseError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const reported = /at position (\d+)/.exec(message)?.[1]
  if (reported === undefined && !/end of JSON input/.test(message)) return message
  const described = reported === undefined ? `${message} at position ${text.length}` : message
  const atEnd = reported === undefined || Number(reported) >= text.length
  return atEnd ? `${described}: the file ends mid-document, so it looks truncated` : described
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

export function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`
}
