/**
 * PPP and hotspot sessions: how the RouterOS driver finds a subscriber known by login alone, its
 * current addresses and the counters its session carries.
 *
 * - PPP (`/ppp/active`: PPPoE, L2TP, SSTP, …): each session has a dynamic interface
 *   `<service-login>` (`<pppoe-alice>`); its `tx-byte` is what the router sent the subscriber
 *   (download), `rx-byte` what it received (upload). A new session is a new interface with a new
 *   `.id`, created at zero when the session began.
 * - Hotspot (`/ip/hotspot/active`): `bytes-out` is download, `bytes-in` upload, per session entry.
 *
 * A session's counter identity joins the menu and the `.id`s, which RouterOS never deals twice in
 * one boot; the boot id covers the rest. When a login has several sessions at once, the one that
 * began first is counted (it stays the same as others come and go), and the others' addresses are
 * still blocked and throttled; several PPP sessions of one login are not counted at all, since
 * their interfaces cannot be told apart.
 */
import type { CounterSample } from '../driver.js'
import { type RouterOsSession, RouterOsTrap } from './api/index.js'
import { parseUptime } from './values.js'

export interface SessionRow {
  kind: 'ppp' | 'hotspot'
  /** `.id` in its menu. */
  id: string
  login: string
  /** The session's address as RouterOS prints it (a bare IPv4 address; empty while being set up). */
  address: string
  /** Absent when RouterOS printed something unreadable: the session's start is then unknown. */
  uptimeMs?: number
  /** Absent when the session's counter could not be found (a PPP interface not listed yet). */
  counter?: { counterId: string; down: bigint; up: bigint }
}

const PPP_PROPS = ['.id', 'name', 'service', 'address', 'uptime']
const INTERFACE_PROPS = ['.id', 'name', 'rx-byte', 'tx-byte']
const HOTSPOT_PROPS = ['.id', 'user', 'address', 'uptime', 'bytes-in', 'bytes-out']

/** Both menus' sessions, read concurrently; a menu the router lacks (no hotspot package) has none. */
export async function listSessions(
  session: RouterOsSession,
  warn: (line: string) => void,
): Promise<SessionRow[]> {
  const optional = async (command: string, options: Parameters<RouterOsSession['run']>[2]) => {
    try {
      return await session.run(command, {}, options)
    } catch (error) {
      // Only a menu the router lacks means "no sessions there": a refused read (a user without the
      // right) or any other trap fails the reading, so enforcement stays as it was.
      if (!(error instanceof RouterOsTrap) || !/no such command/.test(error.routerMessage)) throw error
      warn(`${command} is not available (${error.routerMessage}): no sessions read from it`)
      return []
    }
  }
  const [ppp, interfaces, hotspot] = await Promise.all([
    optional('/ppp/active/print', { proplist: PPP_PROPS }),
    optional('/interface/print', { query: ['?dynamic=true'], proplist: INTERFACE_PROPS }),
    optional('/ip/hotspot/active/print', { proplist: HOTSPOT_PROPS }),
  ])
  const byName = new Map(interfaces.map((row) => [row.name, row]))
  // RouterOS names a login's second PPP session's interface `<pppoe-ana-1>`, and nothing ties an
  // interface to its session: a login with several PPP sessions has none counted (said), never the
  // wrong one.
  const pppPerLogin = new Map<string, number>()
  for (const row of ppp) pppPerLogin.set(row.name ?? '', (pppPerLogin.get(row.name ?? '') ?? 0) + 1)
  for (const [login, count] of pppPerLogin) {
    if (count > 1)
      warn(
        `login "${login}" has ${count} PPP sessions: none is counted while so (set only-one=yes in its profile)`,
      )
  }
  const rows: SessionRow[] = []
  for (const row of ppp) {
    const login = row.name ?? ''
    const iface =
      pppPerLogin.get(login) === 1 ? byName.get(`<${row.service ?? 'pppoe'}-${login}>`) : undefined
    const down = counterValue(iface?.['tx-byte'])
    const up = counterValue(iface?.['rx-byte'])
    rows.push({
      kind: 'ppp',
      id: row['.id'] ?? '',
      login,
      address: row.address ?? '',
      ...uptimeOf(row.uptime),
      ...(iface && down !== undefined && up !== undefined
        ? { counter: { counterId: `ppp:${row['.id']}:${iface['.id']}`, down, up } }
        : {}),
    })
  }
  for (const row of hotspot) {
    const down = counterValue(row['bytes-out'])
    const up = counterValue(row['bytes-in'])
    rows.push({
      kind: 'hotspot',
      id: row['.id'] ?? '',
      login: row.user ?? '',
      address: row.address ?? '',
      ...uptimeOf(row.uptime),
      ...(down !== undefined && up !== undefined
        ? { counter: { counterId: `hs:${row['.id']}`, down, up } }
        : {}),
    })
  }
  return rows
}

/** The sessions of each login, the one that began first first. */
export function sessionsByLogin(rows: readonly SessionRow[]): Map<string, SessionRow[]> {
  const byLogin = new Map<string, SessionRow[]>()
  for (const row of rows) {
    if (!row.login) continue
    byLogin.set(row.login, [...(byLogin.get(row.login) ?? []), row])
  }
  for (const list of byLogin.values()) {
    list.sort(
      (a, b) =>
        (b.uptimeMs ?? 0) - (a.uptimeMs ?? 0) || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id),
    )
  }
  return byLogin
}

/**
 * The counted session's sample for each subscriber known by login (`logins`: login → subscriber).
 * `readStartedAtMs` is when the read began: a session's counter was zero `uptime` before then at the
 * latest, to within the second RouterOS rounds uptime to.
 */
export function sessionSamples(
  byLogin: ReadonlyMap<string, readonly SessionRow[]>,
  logins: ReadonlyMap<string, string>,
  readStartedAtMs: number,
): CounterSample[] {
  const samples: CounterSample[] = []
  for (const [login, subscriberId] of logins) {
    const counted = byLogin.get(login)?.find((row) => row.counter !== undefined)
    if (!counted?.counter) continue
    samples.push({
      subscriberId,
      ...counted.counter,
      ...(counted.uptimeMs === undefined ? {} : { zeroAtMs: readStartedAtMs - counted.uptimeMs }),
    })
  }
  return samples
}

function counterValue(text: string | undefined): bigint | undefined {
  return text !== undefined && /^\d+$/.test(text) ? BigInt(text) : undefined
}

/** A session's uptime, left out when unreadable: its counter is then never taken to have begun at zero. */
function uptimeOf(text: string | undefined): { uptimeMs?: number } {
  try {
    return { uptimeMs: parseUptime(text) }
  } catch {
    return {}
  }
}
