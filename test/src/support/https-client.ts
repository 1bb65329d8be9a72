/**
 * HTTPS requests that trust one test CA (global fetch cannot be given a CA), over HTTP/1.1 or, as
 * browsers speak to a TLS proxy, HTTP/2; and a server-sent event stream read as it arrives, to tell
 * an event delivered at once from one held in a buffer.
 */
import { connect } from 'node:http2'
import { request } from 'node:https'

export interface HttpsAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface HttpsOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** PEM text of the CA to trust. */
  ca: string
  timeoutMs?: number
}

export function httpsRequest(url: string, options: HttpsOptions): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ca: options.ca,
        // A new connection each time: a pooled one would keep the certificate it was opened with.
        agent: false,
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (text: string) => {
          body += text
        })
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.once('error', reject)
      },
    )
    req.once('timeout', () => req.destroy(new Error(`no answer from ${url} in time`)))
    req.once('error', reject)
    req.end(options.body)
  })
}

/** One request over HTTP/2 (a connection of its own), as a browser would send it to the proxy. */
export function http2Request(url: string, options: HttpsOptions): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const session = connect(target.origin, { ca: options.ca })
    session.once('error', reject)
    const stream = session.request({
      ':method': options.method ?? 'GET',
      ':path': `${target.pathname}${target.search}`,
      ...options.headers,
    })
    let headers: HttpsAnswer['headers'] = {}
    let body = ''
    stream.once('response', (h) => {
      headers = h
    })
    stream.setEncoding('utf8').on('data', (text: string) => {
      body += text
    })
    stream.once('end', () => {
      session.close()
      resolve({ status: Number(headers[':status']), headers, body })
    })
    stream.once('error', reject)
    stream.setTimeout(options.timeoutMs ?? 15_000, () => stream.close())
    stream.end(options.body)
  })
}

export interface EventStream {
  readonly status: number
  /** Event names received so far, in order (`event:` lines). */
  readonly events: readonly string[]
  /** Whether the connection is still open (the server has not ended the stream). */
  readonly open: boolean
  close(): void
}

/**
 * Opens `url` as an event stream and resolves once the answer's headers are in; rejects when they
 * are not in within `timeoutMs` (a proxy holding the answer in its buffer sends nothing at all).
 */
export function openEventStream(url: string, options: HttpsOptions): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const events: string[] = []
    let open = true
    const timeoutMs = options.timeoutMs ?? 5_000
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms (held in a buffer?)`)),
      timeoutMs,
    )
    const req = request(
      url,
      { headers: { accept: 'text/event-stream', ...options.headers }, ca: options.ca },
      (res) => {
        clearTimeout(timer)
        let pending = ''
        res.setEncoding('utf8').on('data', (text: string) => {
          pending += text
          const lines = pending.split('\n')
          pending = lines.pop() ?? ''
          for (const line of lines) if (line.startsWith('event:')) events.push(line.slice(6).trim())
        })
        res.once('close', () => {
          open = false
        })
        resolve({
          status: res.statusCode ?? 0,
          events,
          get open() {
            return open
          },
          close: () => req.destroy(),
        })
      },
    )
    req.once('error', (err) => {
      clearTimeout(timer)
      open = false
      reject(err)
    })
    req.end()
  })
}
