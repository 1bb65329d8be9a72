/** A real Linux router made of network namespaces (customers ↔ router ↔ upstream) with helpers that move real packets. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { run } from './run-command.js'

export interface NetnsCustomer {
  /** Namespace the customer's host lives in. */
  readonly ns: string
  /** Primary addresses of the customer (inside `10.200.<i>.0/24` and `fd00:200:<i>::/64`). */
  readonly ipv4: string
  readonly ipv6: string
  /** The customer's link prefixes, for prefix subscribers. */
  readonly ipv4Link: string
  readonly ipv6Link: string
}

export interface TransferOptions {
  /** Payload bytes to send (the sender stops earlier at `timeoutMs`). */
  bytes: number
  family?: 4 | 6
  protocol?: 'tcp' | 'udp'
  /** The customer's address to use (default: its primary address of the family). */
  address?: string
  /** Sender gives up after this long; default 5000. */
  timeoutMs?: number
}

export interface TransferResult {
  /** Payload bytes the receiver actually got. */
  receivedBytes: number
  /** Payload bytes the sender handed to its kernel. */
  sentBytes: number
  /** `[msSinceFirstByte, bytesSoFar]` every 100 ms at the receiver, for throughput. */
  timeline: Array<[number, number]>
}

export interface NetnsRouter {
  readonly routerNs: string
  readonly upstreamNs: string
  readonly upstream: { readonly ipv4: string; readonly ipv6: string }
  readonly customers: readonly NetnsCustomer[]
  /** Customer `index`; throws if the router was built with fewer. */
  customer(index: number): NetnsCustomer
  /** Runs a command in a namespace; rejects with its stderr on failure. */
  exec(ns: string, argv: readonly string[], stdin?: string): Promise<string>
  /** Starts a long-running command in a namespace (e.g. `nft monitor`); it dies with `destroy()`. */
  spawn(ns: string, argv: readonly string[]): ChildProcess
  /** Adds another address (inside the link prefix) to a customer, e.g. a second host of a /30. */
  addCustomerAddress(customer: NetnsCustomer, address: string): Promise<void>
  /** Upstream → customer. */
  download(customer: NetnsCustomer, options: TransferOptions): Promise<TransferResult>
  /** Customer → upstream, sent from `options.address`. */
  upload(customer: NetnsCustomer, options: TransferOptions): Promise<TransferResult>
  /** One ping with a one-second timeout; true if answered. */
  ping(fromNs: string, address: string): Promise<boolean>
  destroy(): Promise<void>
}

let routerSeq = 0
let nextPort = 20_000
const liveNamespaces = new Set<string>()
process.once('exit', () => {
  for (const ns of liveNamespaces) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
    } catch {}
  }
})

/** Why namespaces cannot be built here, or undefined when they can. */
export async function netnsUnavailableReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces'
  const probe = `capd-probe-${process.pid}`
  try {
    await run(['ip', 'netns', 'add', probe])
    await run(['ip', 'netns', 'del', probe])
    await run(['nft', '--version'])
  } catch (error) {
    return `cannot create namespaces or run nft: ${(error as Error).message}`
  }
  return undefined
}

/**
 * Builds the router with `customers` customer namespaces; everything is removed by `destroy()`.
 * Customer i hangs off the router's interface `<interfacePrefix>i` (`ppp0`… stands for a BRAS's
 * PPP session interfaces).
 */
export async function createNetnsRouter({ customers = 2, interfacePrefix = 'c' } = {}): Promise<NetnsRouter> {
  const base = `capd-${process.pid}-${++routerSeq}`
  const routerNs = `${base}-router`
  const upstreamNs = `${base}-up`
  const children = new Set<ChildProcess>()
  const namespaces: string[] = []
  const ipn = (ns: string, ...args: string[]) => run(['ip', '-n', ns, ...args])

  const addNs = async (ns: string) => {
    await run(['ip', 'netns', 'add', ns])
    namespaces.push(ns)
    liveNamespaces.add(ns)
    await ipn(ns, 'link', 'set', 'lo', 'up')
    // No duplicate address detection: tentative link-local addresses would drop the first IPv6 packets.
    for (const key of ['all', 'default']) {
      await run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${key}.accept_dad=0`])
    }
  }
  /** Router side `side` ↔ `eth0` in `peerNs`, router .1 / peer .2 of both link prefixes. */
  const link = async (side: string, peerNs: string, v4Net: string, v6Net: string) => {
    await ipn(routerNs, 'link', 'add', side, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peerNs)
    await ipn(routerNs, 'addr', 'add', `${v4Net}.1/24`, 'dev', side)
    await ipn(routerNs, 'addr', 'add', `${v6Net}::1/64`, 'dev', side, 'nodad')
    await ipn(routerNs, 'link', 'set', side, 'up')
    await ipn(peerNs, 'addr', 'add', `${v4Net}.2/24`, 'dev', 'eth0')
    await ipn(peerNs, 'addr', 'add', `${v6Net}::2/64`, 'dev', 'eth0', 'nodad')
    await ipn(peerNs, 'link', 'set', 'eth0', 'up')
    await ipn(peerNs, 'route', 'add', 'default', 'via', `${v4Net}.1`)
    await ipn(peerNs, '-6', 'route', 'add', 'default', 'via', `${v6Net}::1`)
  }

  const destroy = async () => {
    for (const child of children) child.kill('SIGKILL')
    for (const ns of namespaces.reverse()) {
      await run(['ip', 'netns', 'del', ns]).catch(() => {})
      liveNamespaces.delete(ns)
    }
    namespaces.length = 0
  }

  const list: NetnsCustomer[] = []
  try {
    await addNs(routerNs)
    await addNs(upstreamNs)
    await run(['ip', 'netns', 'exec', routerNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    await run(['ip', 'netns', 'exec', routerNs, 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1'])
    await link('up0', upstreamNs, '10.201.0', 'fd00:201:0:0')
    for (let i = 0; i < customers; i++) {
      const ns = `${base}-c${i}`
      await addNs(ns)
      await link(`${interfacePrefix}${i}`, ns, `10.200.${i}`, `fd00:200:${i}:0`)
      list.push({
        ns,
        ipv4: `10.200.${i}.2`,
        ipv6: `fd00:200:${i}::2`,
        ipv4Link: `10.200.${i}.0/24`,
        ipv6Link: `fd00:200:${i}::/64`,
      })
    }
  } catch (error) {
    await destroy()
    throw error
  }

  const spawnIn = (ns: string, argv: readonly string[]) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    child.once('exit', () => children.delete(child))
    return child
  }
  const upstream = { ipv4: '10.201.0.2', ipv6: 'fd00:201::2' }
  const transfer = async (
    recvNs: string,
    sendNs: string,
    host: string,
    local: string,
    options: TransferOptions,
  ): Promise<TransferResult> => {
    const { bytes, protocol = 'tcp', timeoutMs = 5000 } = options
    const port = String(nextPort++)
    const traffic = (ns: string, ...args: string[]) =>
      spawnIn(ns, [process.execPath, '-e', TRAFFIC_SCRIPT, ...args])
    const receiver = traffic(recvNs, 'recv', protocol, host, port, String(timeoutMs + 5000))
    const received = outputOf(receiver)
    await waitForLine(receiver, 'ready')
    const sender = traffic(sendNs, 'send', protocol, host, port, String(bytes), String(timeoutMs), local)
    const sent = JSON.parse(lastLine(await outputOf(sender))) as { sent: number }
    // TCP ends with the connection; UDP has no end, so let late datagrams land, then stop the receiver.
    const timer = setTimeout(() => receiver.kill('SIGTERM'), protocol === 'udp' ? 300 : 1000)
    const result = JSON.parse(lastLine(await received)) as {
      bytes: number
      timeline: Array<[number, number]>
    }
    clearTimeout(timer)
    return { receivedBytes: result.bytes, sentBytes: sent.sent, timeline: result.timeline }
  }
  const primary = (customer: NetnsCustomer, options: TransferOptions) =>
    options.address ?? ((options.family ?? 4) === 4 ? customer.ipv4 : customer.ipv6)
  const upstreamOf = (address: string) => (address.includes(':') ? upstream.ipv6 : upstream.ipv4)

  return {
    routerNs,
    upstreamNs,
    upstream,
    customers: list,
    customer(index) {
      const found = list[index]
      if (!found) throw new RangeError(`this router has ${list.length} customers, not ${index + 1}`)
      return found
    },
    exec: (ns, argv, stdin) => run(['ip', 'netns', 'exec', ns, ...argv], stdin),
    spawn: spawnIn,
    async addCustomerAddress(customer, address) {
      const prefix = address.includes(':') ? 64 : 24
      await ipn(customer.ns, 'addr', 'add', `${address}/${prefix}`, 'dev', 'eth0', 'nodad')
    },
    download(customer, options) {
      const address = primary(customer, options)
      return transfer(customer.ns, upstreamNs, address, '-', options)
    },
    upload(customer, options) {
      const address = primary(customer, options)
      return transfer(upstreamNs, customer.ns, upstreamOf(address), address, options)
    },
    async ping(fromNs, address) {
      const family = address.includes(':') ? '-6' : '-4'
      try {
        await run(['ip', 'netns', 'exec', fromNs, 'ping', family, '-n', '-q', '-c', '1', '-W', '1', address])
        return true
      } catch {
        return false
      }
    },
    destroy,
  }
}

function outputOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text
    })
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
    })
    child.once('close', (code) => {
      if (stdout.includes('{')) resolve(stdout)
      else reject(new Error(`traffic helper failed (${code}): ${stderr.trim()}`))
    })
  })
}

function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stdout?.on('data', (chunk: Buffer | string) => {
      seen += chunk.toString()
      if (seen.split('\n').includes(line)) resolve()
    })
    child.once('close', (code) => reject(new Error(`traffic receiver exited (${code}) before it was ready`)))
  })
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? ''

/**
 * The sender and receiver, run as `node -e` inside a namespace (a process cannot enter one itself).
 * recv <tcp|udp> <host> <port> <deadlineMs>: prints `ready`, then one JSON line with what arrived.
 * send <tcp|udp> <host> <port> <bytes> <deadlineMs> <localAddress|->: prints one JSON line.
 */
const TRAFFIC_SCRIPT = String.raw`
const net = require('node:net')
const dgram = require('node:dgram')
const [role, proto, host, portText, a, b, c] = process.argv.slice(1)
const port = Number(portText)
const family = host.includes(':') ? 'udp6' : 'udp4'
if (role === 'recv') {
  let bytes = 0
  let first = 0
  const timeline = []
  const tick = setInterval(() => { if (first) timeline.push([Date.now() - first, bytes]) }, 100)
  const count = (n) => { if (!first) first = Date.now(); bytes += n }
  const finish = () => {
    clearInterval(tick)
    if (first) timeline.push([Date.now() - first, bytes])
    process.stdout.write(JSON.stringify({ bytes, timeline }) + '\n', () => process.exit(0))
  }
  setTimeout(finish, Number(a))
  process.on('SIGTERM', finish)
  if (proto === 'tcp') {
    const server = net.createServer((socket) => {
      socket.on('data', (d) => count(d.length))
      socket.on('error', () => {})
      socket.on('close', finish)
    })
    server.listen(port, host, () => console.log('ready'))
  } else {
    const socket = dgram.createSocket({ type: family, recvBufferSize: 16 << 20 })
    socket.on('message', (m) => count(m.length))
    socket.bind(port, host, () => console.log('ready'))
  }
} else {
  const total = Number(a)
  const local = c === '-' ? undefined : c
  let sent = 0
  const done = () => process.stdout.write(JSON.stringify({ sent }) + '\n', () => process.exit(0))
  setTimeout(done, Number(b))
  if (proto === 'tcp') {
    const chunk = Buffer.alloc(64 * 1024, 120)
    const socket = net.connect({ host, port, localAddress: local })
    socket.on('error', () => {})
    socket.on('close', done)
    const pump = () => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent)
        sent += n
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return socket.once('drain', pump)
      }
      socket.end()
    }
    socket.once('connect', pump)
  } else {
    const size = 1400
    const payload = Buffer.alloc(size, 120)
    const socket = dgram.createSocket({ type: family, sendBufferSize: 4 << 20 })
    socket.on('error', () => {})
    const blast = () => {
      if (sent >= total) return done()
      let pending = 0
      for (let i = 0; i < 64 && sent < total; i++) {
        const n = Math.min(size, total - sent)
        sent += n
        pending++
        socket.send(payload, 0, n, port, host, () => { if (--pending === 0) blast() })
      }
    }
    socket.bind({ port: 0, address: local }, blast)
  }
}
`
