/**
 * Route tests of HTML pages: a caller that behaves like a browser without JavaScript. It keeps the
 * cookies it is given, sends forms url-encoded, does not follow redirects (tests look at them),
 * and finds a page's CSRF field the way a form post would send it.
 */
import type { Hono } from 'hono'

export interface PageReply {
  status: number
  html: string
  headers: Headers
  /** The redirect target, if any. */
  location: string | null
}

export interface PageCall {
  /** Form fields, sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>
  headers?: Record<string, string>
  /** Peer address the node server would report (login throttling). */
  address?: string
}

export class BrowserCaller {
  /** Cookies by name, as the browser would send them back. */
  readonly cookies = new Map<string, string>()

  constructor(private readonly app: Hono) {}

  async get(path: string, call: PageCall = {}): Promise<PageReply> {
    return this.request('GET', path, call)
  }

  async post(path: string, form: Record<string, string>, call: PageCall = {}): Promise<PageReply> {
    return this.request('POST', path, { ...call, form })
  }

  /** GETs `page`, then posts `form` to `action` with the CSRF token that page carried. */
  async submit(page: string, action: string, form: Record<string, string>, call: PageCall = {}) {
    const csrf = csrfFrom((await this.get(page)).html)
    return this.post(action, { _csrf: csrf, ...form }, call)
  }

  async request(method: string, path: string, call: PageCall = {}): Promise<PageReply> {
    const headers: Record<string, string> = { accept: 'text/html', ...call.headers }
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    }
    const init: RequestInit = { method, headers, redirect: 'manual' }
    if (call.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init.body = new URLSearchParams(call.form).toString()
    }
    const nodeEnv = { incoming: { socket: { remoteAddress: call.address ?? '198.51.100.9' } } }
    const res = await this.app.request(new Request(`http://localhost${path}`, init), undefined, nodeEnv)
    for (const line of res.headers.getSetCookie()) this.keep(line)
    return {
      status: res.status,
      html: await res.text(),
      headers: res.headers,
      location: res.headers.get('location'),
    }
  }

  private keep(line: string): void {
    const [pair = '', ...attributes] = line.split(';')
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === ''
    if (expired) this.cookies.delete(name)
    else this.cookies.set(name, value)
  }
}

/** The value of the first `_csrf` hidden field on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!match?.[1]) throw new Error('no CSRF field on the page')
  return match[1]
}
