/**
 * Runs the `nft` binary (optionally inside a network namespace) with a timeout; failures carry nft's
 * stderr. A batch (`nft -f -`) goes to a process started before it was asked for, waiting on its
 * stdin: starting a process takes ~10 ms of the event loop on a small VM (the whole of a top-up's
 * nft change at 10k subscribers), and nft reads nothing of the ruleset before its script ends.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { getPriority, setPriority } from 'node:os'

export interface NftExecOptions {
  nftPath?: string
  /** Run inside this network namespace (`ip netns exec <netns> nft …`). */
  netns?: string
  timeoutMs?: number
}

export class NftError extends Error {
  override readonly name = 'NftError'
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(message)
  }

  /** nft itself says the table (or something in it) does not exist (not: the namespace is missing). */
  get isMissing(): boolean {
    return /^Error: No such file or directory/m.test(this.stderr) && !/netns|namespace/i.test(this.stderr)
  }
}

export interface NftRunner {
  (args: readonly string[], stdin?: string): Promise<string>
  /** nft's output as the pieces it came in, for a listing too large to join (see listing-items.ts). */
  chunks(args: readonly string[], options?: ChunksOptions): Promise<Buffer[]>
  /** Ends the waiting batch process (nothing is run); calls after it still work. */
  close(): void
}

export interface ChunksOptions {
  stdin?: string
  /** Stops the call: nft is killed (fit for a listing, which changes nothing) and the call rejects. */
  signal?: AbortSignal
  /**
   * Runs nft at a lower CPU priority (10 nicer than the agent): a poll's listing of 10k subscribers takes most of
   * a CPU for most of a second, and a top-up's own nft change and the controller beside it should
   * not wait behind it for a CPU.
   */
  background?: boolean
  /**
   * Given each piece of nft's output as it comes, instead of keeping them (the call then resolves
   * with none): a listing is parsed while nft still writes it.
   */
  onChunk?: (chunk: Buffer) => void
}

/** How much nicer than the agent a background nft runs (see ChunksOptions.background): ~a tenth of its CPU share. */
const BACKGROUND_NICER = 10
/** The nicest a process can be. */
const MAX_NICE = 19

/** The arguments of a batch read from stdin: the calls a waiting process serves. */
const BATCH = ['-f', '-'] as const

/** A started process, heard from its start: it may fail or exit before anyone asks it anything. */
interface Started {
  child: ChildProcessWithoutNullStreams
  stdout: Buffer[]
  stderr: string
  /** Set once it exited or could not start. */
  ended?: { code: number | null } | { error: Error }
  onEnd?: () => void
  onChunk?: (chunk: Buffer) => void
}

export function createNftRunner({
  nftPath = 'nft',
  netns,
  timeoutMs = 10_000,
}: NftExecOptions = {}): NftRunner {
  const prefix = netns ? ['ip', 'netns', 'exec', netns, nftPath] : [nftPath]
  let waiting: Started | undefined
  /** Closed, and no batch asked for since: no process is kept waiting. */
  let closed = false

  const start = (args: readonly string[], background = false): Started => {
    const [command = nftPath, ...rest] = [...prefix, ...args]
    const child = spawn(command, rest, { stdio: ['pipe', 'pipe', 'pipe'] })
    // `ip netns exec` execs nft in the same process: the priority is nft's.
    if (background && child.pid !== undefined) lowerPriority(child.pid)
    const started: Started = { child, stdout: [], stderr: '' }
    const end = (ended: Started['ended']) => {
      started.ended ??= ended
      started.onEnd?.()
    }
    child.stdout.on('data', (chunk: Buffer) => {
      if (started.onChunk) started.onChunk(chunk)
      else started.stdout.push(chunk)
    })
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      started.stderr += text
    })
    child.once('error', (error) => end({ error }))
    child.once('close', (code) => end({ code }))
    // EPIPE when nft exits early is reported through 'close' with nft's own stderr.
    child.stdin.on('error', () => {})
    return started
  }

  /** A batch process for later, not holding the agent's event loop open while it waits. */
  const keepOneWaiting = () => {
    if (closed || (waiting && alive(waiting))) return
    const next = start(BATCH)
    holdsLoop(next, false)
    waiting = next
  }

  const take = (args: readonly string[], background: boolean): Started => {
    if (!isBatch(args)) return start(args, background)
    closed = false
    const ready = waiting && alive(waiting) ? waiting : undefined
    waiting = undefined
    if (ready) holdsLoop(ready, true)
    return ready ?? start(args)
  }

  const chunks = (
    args: readonly string[],
    { stdin, signal, background = false, onChunk }: ChunksOptions = {},
  ): Promise<Buffer[]> => {
    const shown = `nft ${args.join(' ')}`
    const [command = nftPath] = prefix
    if (signal?.aborted) return Promise.reject(signal.reason)
    const started = take(args, background)
    if (onChunk) {
      // A waiting batch process may have written already.
      for (const chunk of started.stdout.splice(0)) onChunk(chunk)
      started.onChunk = onChunk
    }
    return new Promise<Buffer[]>((resolve, reject) => {
      let settled = false
      const settle = (error: unknown) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal?.removeEventListener('abort', stop)
        if (error) reject(error)
        else resolve(started.stdout)
      }
      // Stopped from outside: nft is killed (a listing changes nothing) and the call rejects at once.
      const stop = () => {
        started.child.kill('SIGKILL')
        settle(signal!.reason)
      }
      signal?.addEventListener('abort', stop, { once: true })
      // Rejects at once: a grandchild holding the pipes open must not stretch the timeout.
      const timer = setTimeout(() => {
        started.child.kill('SIGKILL')
        settle(new NftError(`${shown}: timed out after ${timeoutMs} ms`, args, started.stderr))
      }, timeoutMs)
      started.onEnd = () => {
        const { ended, stderr } = started
        if (!ended) return
        if ('error' in ended) {
          settle(new NftError(`${shown}: cannot run ${command}: ${ended.error.message}`, args, stderr))
        } else {
          const failed = new NftError(`${shown} failed (exit ${ended.code}): ${stderr.trim()}`, args, stderr)
          settle(ended.code === 0 ? undefined : failed)
        }
      }
      started.onEnd()
      started.child.stdin.end(stdin ?? '')
    }).finally(() => {
      // The next batch's process starts once this one is answered: started meanwhile, it would hold
      // the event loop just when the answer comes.
      if (isBatch(args)) setImmediate(keepOneWaiting)
    })
  }
  return Object.assign(
    async (args: readonly string[], stdin?: string) =>
      Buffer.concat(await chunks(args, { stdin })).toString('utf8'),
    {
      chunks,
      close() {
        closed = true
        waiting?.child.kill('SIGKILL')
        waiting = undefined
      },
    },
  )
}

/** Lowers a process's CPU priority; one that already ended, or a system that refuses, leaves it as it is. */
function lowerPriority(pid: number): void {
  try {
    setPriority(pid, Math.min(MAX_NICE, getPriority() + BACKGROUND_NICER))
  } catch {
    // Gone already (it ran quickly) or not allowed: it runs at the normal priority.
  }
}

/** Not ended: 'close' comes after 'exit', once the pipes are drained, so a process killed just now has ended too. */
function alive({ ended, child }: Started): boolean {
  return !ended && child.exitCode === null && child.signalCode === null
}

function isBatch(args: readonly string[]): boolean {
  return args.length === BATCH.length && args.every((arg, i) => arg === BATCH[i])
}

/** Whether a process keeps the event loop alive: it and its pipes (sockets underneath). */
function holdsLoop({ child }: Started, hold: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<Partial<Ref>>) {
    if (hold) handle.ref?.()
    else handle.unref?.()
  }
}

interface Ref {
  ref(): void
  unref(): void
}
