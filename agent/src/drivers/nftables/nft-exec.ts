/** Runs the `nft` binary (optionally inside a network namespace) with a timeout; failures carry nft's stderr. */
import { spawn } from 'node:child_process'

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
  chunks(args: readonly string[], stdin?: string): Promise<Buffer[]>
}

export function createNftRunner({
  nftPath = 'nft',
  netns,
  timeoutMs = 10_000,
}: NftExecOptions = {}): NftRunner {
  const prefix = netns ? ['ip', 'netns', 'exec', netns, nftPath] : [nftPath]
  const chunks = (args: readonly string[], stdin?: string): Promise<Buffer[]> => {
    const [command = nftPath, ...rest] = [...prefix, ...args]
    const shown = `nft ${args.join(' ')}`
    return new Promise<Buffer[]>((resolve, reject) => {
      const child = spawn(command, rest, { stdio: ['pipe', 'pipe', 'pipe'] })
      const stdout: Buffer[] = []
      let stderr = ''
      let settled = false
      const settle = (error: NftError | undefined) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) reject(error)
        else resolve(stdout)
      }
      // Rejects at once: a grandchild holding the pipes open must not stretch the timeout.
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        settle(new NftError(`${shown}: timed out after ${timeoutMs} ms`, args, stderr))
      }, timeoutMs)
      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk)
      })
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr += text
      })
      child.once('error', (error) => {
        settle(new NftError(`${shown}: cannot run ${command}: ${error.message}`, args, stderr))
      })
      child.once('close', (code) => {
        const failed = new NftError(`${shown} failed (exit ${code}): ${stderr.trim()}`, args, stderr)
        settle(code === 0 ? undefined : failed)
      })
      // EPIPE when nft exits early is reported through 'close' with nft's own stderr.
      child.stdin.on('error', () => {})
      child.stdin.end(stdin ?? '')
    })
  }
  return Object.assign(
    async (args: readonly string[], stdin?: string) =>
      Buffer.concat(await chunks(args, stdin)).toString('utf8'),
    { chunks },
  )
}
