/** Runs a command for a test's setup: resolves with its stdout, rejects with the command and its stderr. */
import { spawn } from 'node:child_process'

export function run(
  argv: readonly string[],
  stdin?: string,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd = '', ...args] = argv
    const child = spawn(cmd, args, {
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
      env: options.env ? { ...process.env, ...options.env } : process.env,
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout += text
    })
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
    })
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout)
      else reject(new Error(`${argv.join(' ')} failed (${signal ?? code}): ${stderr.trim()}`))
    })
    // A command that exits without reading its input must not become an EPIPE crash.
    child.stdin?.on('error', () => {})
    child.stdin?.end(stdin)
  })
}
