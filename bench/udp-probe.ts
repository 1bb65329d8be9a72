/**
 * Datagrams through the namespace router: a sender in the upstream namespace (bursts to use up an
 * allowance, and a probe every millisecond) and a receiver in the customer's namespace that stamps
 * the first probe datagram of a round with process.hrtime.bigint() — CLOCK_MONOTONIC, the same
 * clock as the benchmark's, across processes and network namespaces.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { NetnsCustomer, NetnsRouter } from '../test/src/support/netns-router.js'
import { reapOnExit, released } from './reaper.js'

const PORT = 40_404

/** A helper process spoken to one line at a time over stdin / stdout. */
class LineChild {
  private readonly lines: string[] = []
  private waiter: (() => void) | undefined
  private ended: Error | undefined
  private readonly exit: Promise<void>

  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    reapOnExit(child.pid)
    let partial = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const parts = (partial + text).split('\n')
      partial = parts.pop()!
      this.lines.push(...parts)
      this.waiter?.()
    })
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
    })
    child.stdin!.on('error', () => {})
    this.exit = new Promise((resolve) => {
      child.once('error', (error) => {
        this.ended = new Error(`${label} could not start: ${error.message}`)
        this.waiter?.()
        resolve()
      })
      child.once('exit', (code, signal) => {
        released(child.pid)
        this.ended = new Error(`${label} exited (${signal ?? code}): ${stderr.trim()}`)
        this.waiter?.()
        resolve()
      })
    })
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`)
  }

  /** Removes and returns the first line starting with `prefix`, waiting up to `timeoutMs` for it. */
  async take(prefix: string, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const at = this.lines.findIndex((line) => line.startsWith(prefix))
      if (at >= 0) return this.lines.splice(at, 1)[0]
      if (this.ended) throw this.ended
      const left = deadline - Date.now()
      if (left <= 0) return undefined
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.waiter = undefined
    }
  }

  async expect(prefix: string, timeoutMs = 10_000): Promise<string> {
    const line = await this.take(prefix, timeoutMs)
    if (line === undefined) throw new Error(`${this.label}: no "${prefix}" within ${timeoutMs} ms`)
    return line
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exit
  }
}

export interface UdpProbe {
  /** Sends `bytes` of 1400-byte datagrams as fast as the sender can; resolves when handed to its kernel. */
  blast(bytes: number): Promise<void>
  /** Starts a round: the receiver waits for the first probe datagram tagged `tag`, sent every 1 ms from now. */
  start(tag: string): Promise<void>
  /** When the round's first probe datagram arrived (hrtime ns), or undefined if none within `timeoutMs`. */
  arrival(tag: string, timeoutMs: number): Promise<bigint | undefined>
  /** Stops sending probe datagrams. */
  stop(): Promise<void>
  close(): Promise<void>
}

/** Upstream → `customer`, UDP to its primary IPv4 address. */
export async function startUdpProbe(net: NetnsRouter, customer: NetnsCustomer): Promise<UdpProbe> {
  const inNs = (ns: string, script: string, label: string) =>
    new LineChild(
      spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, customer.ipv4, String(PORT)], {
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
      label,
    )
  const receiver = inNs(customer.ns, RECEIVER, 'probe receiver')
  const sender = inNs(net.upstreamNs, SENDER, 'probe sender')
  const close = async () => {
    await Promise.all([receiver.kill(), sender.kill()])
  }
  try {
    await receiver.expect('ready')
    await sender.expect('ready')
  } catch (error) {
    await close()
    throw error
  }
  return {
    async blast(bytes) {
      sender.send(`blast ${bytes}`)
      await sender.expect('blasted')
    },
    async start(tag) {
      receiver.send(`arm ${tag}`)
      await receiver.expect(`armed ${tag}`)
      sender.send(`probe ${tag}`)
      await sender.expect(`probing ${tag}`)
    },
    async arrival(tag, timeoutMs) {
      const line = await receiver.take(`first ${tag} `, timeoutMs)
      return line === undefined ? undefined : BigInt(line.split(' ')[2]!)
    },
    async stop() {
      sender.send('stop')
      await sender.expect('stopped')
    },
    close,
  }
}

/** argv: <host> <port>. Lines in: `arm <tag>`. Lines out: `ready`, `armed <tag>`, `first <tag> <hrtime ns>`. */
const RECEIVER = String.raw`
const dgram = require('node:dgram')
const readline = require('node:readline')
const [host, port] = process.argv.slice(1)
const out = (line) => process.stdout.write(line + '\n')
let armed = null
const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 })
socket.on('message', (m) => {
  if (armed === null || m[0] !== 0x50) return
  const at = process.hrtime.bigint()
  if (m.toString('latin1', 1) !== armed) return
  out('first ' + armed + ' ' + at)
  armed = null
})
socket.bind(Number(port), host, () => out('ready'))
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, tag] = line.split(' ')
  if (command === 'arm') { armed = tag; out('armed ' + tag) }
})
process.stdin.on('end', () => process.exit(0))
`

/** argv: <host> <port>. Lines in: `blast <bytes>`, `probe <tag>`, `stop`. Lines out: `ready`, `blasted`, `probing <tag>`, `stopped`. */
const SENDER = String.raw`
const dgram = require('node:dgram')
const readline = require('node:readline')
const [host, portText] = process.argv.slice(1)
const port = Number(portText)
const out = (line) => process.stdout.write(line + '\n')
const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 << 20 })
socket.on('error', () => {})
const filler = Buffer.alloc(1400, 66)
let timer = null
const blast = (left) => {
  if (left <= 0) return out('blasted')
  let pending = 0
  let sent = 0
  for (let i = 0; i < 64 && sent < left; i++) {
    const n = Math.min(filler.length, left - sent)
    sent += n
    pending++
    socket.send(filler, 0, n, port, host, () => { if (--pending === 0) blast(left - sent) })
  }
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, arg] = line.split(' ')
  if (command === 'blast') blast(Number(arg))
  if (command === 'probe') {
    clearInterval(timer)
    const datagram = Buffer.from('P' + arg, 'latin1')
    const send = () => socket.send(datagram, port, host)
    send()
    timer = setInterval(send, 1)
    out('probing ' + arg)
  }
  if (command === 'stop') { clearInterval(timer); timer = null; out('stopped') }
})
socket.bind(0, () => out('ready'))
process.stdin.on('end', () => process.exit(0))
`
