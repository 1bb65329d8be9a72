/**
 * A benchmark child process: forked on the same tsx loader, spoken to one command and one reply at
 * a time over IPC. Servers under test run in one, so the load generator does not share their event loop.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export class Child<Command, Reply> {
  private pending: { resolve: (reply: Reply) => void; reject: (err: Error) => void } | undefined
  private exited: Error | undefined
  private readonly exit: Promise<void>

  constructor(entry: URL, label: string) {
    // The default execArgv is ours, so the child gets the tsx loader we run under.
    const proc: ChildProcess = fork(fileURLToPath(entry), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.proc = proc
    proc.on('message', (reply) => {
      const waiter = this.pending
      this.pending = undefined
      waiter?.resolve(reply as Reply)
    })
    this.exit = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exited = new Error(`${label} child exited (code ${code}, signal ${signal})`)
        this.pending?.reject(this.exited)
        this.pending = undefined
        resolve()
      })
    })
  }

  private readonly proc: ChildProcess

  request(command: Command): Promise<Reply> {
    if (this.exited) return Promise.reject(this.exited)
    if (this.pending) return Promise.reject(new Error('one request at a time'))
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject }
      this.proc.send(command as object)
    })
  }

  /** Waits for the child to exit after its last reply; kills it if it lingers. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs)
    if (this.proc.connected) this.proc.disconnect()
    await this.exit
    clearTimeout(timer)
  }

  /** Kills the child unless it has exited, and waits until it has, so its files can be removed. */
  async kill(): Promise<void> {
    if (!this.exited) this.proc.kill('SIGKILL')
    await this.exit
  }
}
