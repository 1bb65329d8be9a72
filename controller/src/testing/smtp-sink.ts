/**
 * A real SMTP server for tests (smtp-server): STARTTLS with its built-in self-signed certificate,
 * login required (and only over TLS), every message kept raw. It can refuse recipients with a
 * chosen answer, and stop and start again on its port (a relay that is down for a while).
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export const SINK_USER = 'capd-relay'
export const SINK_PASSWORD = 'relay-secret-Xq81vZ'

export interface ReceivedMail {
  envelopeFrom: string
  envelopeTo: string[]
  raw: string
  /** Whether the connection was TLS (after STARTTLS) when the message came. */
  secure: boolean
  user: string | undefined
}

export interface SmtpSinkOptions {
  /** Answer RCPT TO for this address with this code (e.g. 550 no such user, 451 try later). */
  refuse?: (address: string) => { code: number; message: string } | undefined
}

export class SmtpSink {
  readonly received: ReceivedMail[] = []
  private server: SMTPServer | undefined
  port = 0

  constructor(private readonly options: SmtpSinkOptions = {}) {}

  /** Starts listening on 127.0.0.1: on `port`, or (0) a free one. */
  async start(port = this.port): Promise<this> {
    const server = new SMTPServer({
      logger: false,
      secure: false,
      // A stopped relay drops its connections at once, as a crashed one would.
      closeTimeout: 100,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) => {
        if (auth.username === SINK_USER && auth.password === SINK_PASSWORD) {
          callback(null, { user: auth.username })
        } else callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }))
      },
      onRcptTo: (address, _session, callback) => {
        const refusal = this.options.refuse?.(address.address)
        if (refusal) callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }))
        else callback()
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          this.received.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
            user: session.user as string | undefined,
          })
          callback()
        })
      },
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.port = (server.server.address() as AddressInfo).port
    this.server = server
    return this
  }

  /** Stops listening and drops open connections (the port stays this sink's for a restart). */
  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** `smtp://user:pass@127.0.0.1:port` trusting the sink's self-signed certificate. */
  url(password = SINK_PASSWORD): string {
    return `smtp://${SINK_USER}:${password}@127.0.0.1:${this.port}?tls.rejectUnauthorized=false`
  }
}

/** The header's value in a raw message (first occurrence, unfolded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ')
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line?.slice(name.length + 1).trim()
}

/** The decoded body of the raw message's part of this content type (7bit or quoted-printable). */
export function part(raw: string, contentType: string): string | undefined {
  const pieces = raw.split(/\r?\n--[^\r\n]+\r?\n/)
  for (const piece of pieces) {
    if (header(piece, 'Content-Type')?.toLowerCase().startsWith(contentType) !== true) continue
    const body = piece.slice(piece.search(/\r?\n\r?\n/)).replace(/^\r?\n\r?\n/, '')
    const encoding = header(piece, 'Content-Transfer-Encoding')?.toLowerCase()
    const text = body.replace(/\r?\n--[^\r\n]*--\s*$/, '')
    return encoding === 'quoted-printable' ? decodeQuotedPrintable(text) : text.replace(/\r\n/g, '\n')
  }
  return undefined
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/\r\n/g, '\n')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}
