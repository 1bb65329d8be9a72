/**
 * Reads the PPP sessions a Linux BRAS lists (login → current addresses): accel-ppp's
 * `accel-cmd show sessions` table, or one `login address [ifname]` per line from any command.
 */
import { addressRefusal, type IpPrefix, parseIpNetwork } from '@capd/protocol'

export interface Session {
  login: string
  /** The session's address (a host address, or the prefix an IPv6 session was given). */
  prefix: IpPrefix
  /** The session's interface (`ppp7`), when the source says. */
  ifname?: string
}

export interface ParsedSessions {
  sessions: Session[]
  /** Lines that could not be read, each with why (the caller logs them). */
  bad: string[]
}

/** Columns asked of accel-cmd; `ip` is the IPv4 address, or the IPv6 one for an IPv6-only session. */
export const ACCEL_COLUMNS = ['ifname', 'username', 'ip', 'ip6', 'ip6-dp'] as const

/**
 * accel-cmd's table: a header of column names between `|`, a `---+---` rule, then one row per
 * session; cells are padded with spaces, lines end in CRLF. A row whose cells do not line up with
 * the header is bad. A session still being set up (no username or no address yet) is left out.
 * Throws when there is no header: accel-cmd printed an error instead (unknown column, no access).
 */
export function parseAccelSessions(text: string): ParsedSessions {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const headerAt = lines.findIndex((line) => line.includes('|'))
  const header = headerAt < 0 ? undefined : cells(lines[headerAt]!)
  const column = (name: string) => header?.indexOf(name) ?? -1
  if (!header || column('username') < 0 || column('ip') < 0) {
    const said = lines[0]?.trim().slice(0, 200)
    throw new Error(
      said
        ? `accel-cmd did not print a session table: "${said}"`
        : 'accel-cmd printed nothing (expected a session table with a header line)',
    )
  }
  const sessions: Session[] = []
  const bad: string[] = []
  for (const line of lines.slice(headerAt + 1)) {
    if (/^[\s+-]+$/.test(line)) continue
    const row = cells(line)
    if (row.length !== header.length) {
      bad.push(`"${line.trim()}": ${row.length} cells, the header has ${header.length}`)
      continue
    }
    const login = row[column('username')]!
    if (!login) continue
    const ifname = column('ifname') >= 0 ? row[column('ifname')] : undefined
    for (const name of ['ip', 'ip6', 'ip6-dp']) {
      const address = column(name) >= 0 ? row[column(name)]! : ''
      if (!address) continue
      const prefix = sessionPrefix(address)
      if (typeof prefix === 'string') bad.push(`"${line.trim()}": ${name} ${prefix}`)
      else sessions.push({ login, prefix, ...(ifname ? { ifname } : {}) })
    }
  }
  return { sessions: dedupe(sessions), bad }
}

/**
 * `login address [ifname]` per line, fields separated by blanks; blank lines and `#` comments are
 * skipped. Anything else is bad. Empty output is no session at all.
 */
export function parseSessionLines(text: string): ParsedSessions {
  const sessions: Session[] = []
  const bad: string[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    if (fields.length < 2 || fields.length > 3) {
      bad.push(`"${line}": expected "login address [ifname]"`)
      continue
    }
    const [login, address, ifname] = fields as [string, string, string | undefined]
    const prefix = sessionPrefix(address)
    if (typeof prefix === 'string') bad.push(`"${line}": ${prefix}`)
    else sessions.push({ login, prefix, ...(ifname ? { ifname } : {}) })
  }
  return { sessions: dedupe(sessions), bad }
}

/** Every poll lists the same sessions again: each address is parsed once (see prefix-cache.ts). */
const MAX_REMEMBERED = 200_000
const remembered = new Map<string, IpPrefix | string>()

/** The network of an address as printed (host bits of an IPv6 `addr/64` cleared), or why not. */
function sessionPrefix(text: string): IpPrefix | string {
  const known = remembered.get(text)
  if (known !== undefined) return known
  let answer: IpPrefix | string
  try {
    const prefix = parseIpNetwork(text)
    answer = addressRefusal(prefix) ?? prefix
  } catch (error) {
    answer = (error as Error).message
  }
  if (remembered.size >= MAX_REMEMBERED) remembered.clear()
  remembered.set(text, answer)
  return answer
}

function cells(line: string): string[] {
  return line.split('|').map((cell) => cell.trim())
}

/** One entry per login and prefix (a source may print a session's address twice). */
function dedupe(sessions: Session[]): Session[] {
  const seen = new Set<string>()
  return sessions.filter((s) => {
    const key = `${s.login}\n${s.prefix.text}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
