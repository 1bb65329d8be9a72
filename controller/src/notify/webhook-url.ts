/**
 * Which URLs a webhook endpoint may have. HTTPS everywhere, because the bodies carry customers'
 * ids and usage and the signature proves who sent them but hides nothing. Plain HTTP only to a
 * host that is plainly not on the internet: a loopback or private address written as such
 * (127/8, 10/8, 172.16/12, 192.168/16, 100.64/10 — the carrier-grade NAT range many ISPs run
 * their own systems in — 169.254/16, ::1, fc00::/7, fe80::/10), `localhost`, a one-label name,
 * or a name under a suffix that never resolves publicly (.localhost .internal .lan .local
 * .home.arpa). A public-looking name is judged by its text alone, never by what it resolves to
 * today: DNS can change after the check, and a wrong yes would send customer data in clear.
 */
import { isIP } from 'node:net'

export const WEBHOOK_URL_MAX = 2000

const PRIVATE_SUFFIXES = ['.localhost', '.internal', '.lan', '.local', '.home.arpa']

/** Why `text` cannot be a webhook URL (a sentence that follows "The URL"), or undefined when it can. */
export function webhookUrlProblem(text: string): string | undefined {
  if (text.length > WEBHOOK_URL_MAX) return `must be at most ${WEBHOOK_URL_MAX} characters`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'must be a full URL, such as https://crm.example.com/capd'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https://'
  if (url.username || url.password) return 'must not contain a user name or password'
  if (url.hash) return 'must not contain a #fragment'
  if (!url.hostname) return 'must name a host'
  if (url.protocol === 'http:' && !isPrivateHost(url.hostname)) {
    return 'must use https:// (plain http:// only to a loopback or private address)'
  }
  return undefined
}

/** Whether `hostname` (as URL gives it: lower case, IPv6 in brackets, IPv4 normalized) is local or private. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  const family = isIP(host)
  if (family === 4) return privateV4(host)
  if (family === 6) return privateV6(host)
  const name = host.endsWith('.') ? host.slice(0, -1) : host
  if (name === 'localhost' || !name.includes('.')) return true
  return PRIVATE_SUFFIXES.some((s) => name.endsWith(s))
}

function privateV4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number)
  return (
    a === 127 ||
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254)
  )
}

function privateV6(ip: string): boolean {
  const lower = ip.toLowerCase()
  if (lower === '::1') return true
  // IPv4-mapped (::ffff:10.0.0.1, which URL writes as ::ffff:a00:1) is judged as the IPv4 address.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  if (mapped) {
    const hi = Number.parseInt(mapped[1]!, 16)
    const lo = Number.parseInt(mapped[2]!, 16)
    return privateV4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`)
  }
  const first = Number.parseInt(lower.split(':')[0] || '0', 16)
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80
}
