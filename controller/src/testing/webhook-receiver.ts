/**
 * A real webhook receiver for tests: node:http on 127.0.0.1, keeping each request's headers and
 * raw body, answering with the statuses it is told. It checks X-Capd-Signature with its own HMAC
 * code, written from the documented scheme and not from capd's, so a bug in either shows.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface Answer {
  status: number
  body?: string
  headers?: Record<string, string>
  /** Never answer (the request hangs until the client gives up). */
  hang?: boolean
}

/**
 * Whether `header` signs `body` with `secret`: `t=<seconds>,v1=<hex>` where v1 is
 * HMAC-SHA256(secret, "<t>.<body>"), and t within `toleranceS` of `nowS`.
 */
export function signatureValid(
  secret: string,
  body: string,
  header: string | undefined,
  nowS: number,
  toleranceS = 300,
): boolean {
  const parts = new Map((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]))
  const t = Number(parts.get('t'))
  const v1 = parts.get('v1') ?? ''
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS) return false
  const expected = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest()
  const given = Buffer.from(v1, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export async function webhookReceiver(answers: (n: number) => Answer = () => ({ status: 200 })) {
  const requests: ReceivedRequest[] = []
  const hanging = new Set<() => void>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      const answer = answers(requests.length)
      if (answer.hang) {
        hanging.add(() => res.destroy())
        return
      }
      res.writeHead(answer.status, answer.headers ?? {})
      res.end(answer.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    async close() {
      for (const end of hanging) end()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A loopback URL nothing listens on (the port was free a moment ago). */
export async function deadUrl(): Promise<string> {
  const r = await webhookReceiver()
  await r.close()
  return r.url
}
