/** FreeRADIUS's radclient as the NAS in tests, and a UDP relay that loses answers so radclient retransmits. */
import { execFile, spawn } from 'node:child_process'
import { createSocket, type RemoteInfo } from 'node:dgram'

/** Why radclient cannot run here, or undefined. */
export function radclientUnavailableReason(): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('radclient', ['-v'], (err) =>
      resolve(err ? `radclient is not installed (${err.message})` : undefined),
    ),
  )
}

export interface RadclientRun {
  code: number
  output: string
}

/** Sends the packets in `text` (attribute lines; packets separated by blank lines) as accounting. */
export function radclient(
  port: number,
  secret: string,
  text: string,
  args: string[] = [],
): Promise<RadclientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-x', ...args, `127.0.0.1:${port}`, 'acct', secret], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, output }))
    child.stdin.end(text)
  })
}

export interface LossyRelay {
  port: number
  /** Requests relayed, counted per identifier. */
  readonly relayed: number
  close(): Promise<void>
}

/**
 * Relays requests to `targetPort` and drops the first answer to each distinct request, so the
 * sender retransmits the very same packet (same Identifier and authenticator).
 */
export async function lossyRelay(targetPort: number): Promise<LossyRelay> {
  const front = createSocket('udp4')
  const back = createSocket('udp4')
  await Promise.all([
    new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => back.bind(0, '127.0.0.1', resolve)),
  ])
  const senders = new Map<number, RemoteInfo>()
  const answered = new Set<string>()
  let relayed = 0
  front.on('message', (request, from) => {
    relayed++
    senders.set(request[1]!, from)
    back.send(request, targetPort, '127.0.0.1')
  })
  back.on('message', (response) => {
    const to = senders.get(response[1]!)
    const key = response.subarray(0, 20).toString('hex')
    if (!to || !answered.has(key)) {
      answered.add(key)
      return
    }
    front.send(response, to.port, to.address)
  })
  return {
    port: front.address().port,
    get relayed() {
      return relayed
    },
    close: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()))
      await new Promise<void>((resolve) => back.close(() => resolve()))
    },
  }
}
