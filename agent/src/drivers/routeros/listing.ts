/** What the driver reads from the router: simple queues and the capd address list, as typed rows. */
import type { RouterOsRow, RouterOsSession } from './api/index.js'
import { BLOCK_LIST } from './names.js'
import { listSessions, type SessionRow, sessionsByLogin } from './sessions.js'
import { parseUptime } from './values.js'

export interface QueueRow {
  id: string
  name: string
  target: string
  bytes: string
  maxLimit: string
  comment: string | undefined
  disabled: boolean
  /** Made by PPP, hotspot or DHCP: cannot be changed through the menu, so never adopted. */
  dynamic: boolean
}

export interface EntryRow {
  id: string
  address: string
  comment: string | undefined
  disabled: boolean
  /** Time left before RouterOS drops the entry (an entry added with a `timeout`); absent: permanent. */
  timeoutMs?: number
}

export interface Listing {
  /** Every simple queue, in the router's order (the first queue matching a packet counts it). */
  queues: QueueRow[]
  /** Entries of `capd-blocked` in `/ip/firewall/address-list`. */
  blocked4: EntryRow[]
  /** The same in `/ipv6/firewall/address-list`; undefined where the router has no IPv6 firewall. */
  blocked6: EntryRow[] | undefined
  /**
   * PPP and hotspot sessions by login, the one that began first first; read only while some
   * subscriber is known by login alone.
   */
  sessions?: ReadonlyMap<string, readonly SessionRow[]>
}

export interface ListingOptions {
  ipv6: boolean
  sessions: boolean
  /** For a menu the router lacks. */
  warn: (line: string) => void
}

export type Family = 4 | 6

export const addressListMenu = (family: Family) =>
  family === 4 ? '/ip/firewall/address-list' : '/ipv6/firewall/address-list'

export const QUEUE_PROPS = ['.id', 'name', 'target', 'bytes', 'max-limit', 'comment']
/** Few queues are disabled or dynamic: asked for apart, so the big print carries no flag columns. */
const UNUSUAL_QUEUES = ['?disabled=true', '?dynamic=true', '?#|']
const ENTRY_PROPS = ['.id', 'address', 'comment', 'disabled', 'timeout']

const isTrue = (value: string | undefined) => value === 'true' || value === 'yes'

export function toQueueRow(row: RouterOsRow): QueueRow {
  return {
    id: row['.id'] ?? '',
    name: row.name ?? '',
    target: row.target ?? '',
    bytes: row.bytes ?? '',
    maxLimit: row['max-limit'] ?? '0/0',
    comment: row.comment,
    disabled: isTrue(row.disabled),
    dynamic: isTrue(row.dynamic),
  }
}

export function toEntryRow(row: RouterOsRow): EntryRow {
  const entry: EntryRow = {
    id: row['.id'] ?? '',
    address: row.address ?? '',
    comment: row.comment,
    disabled: isTrue(row.disabled),
  }
  if (row.timeout) {
    try {
      entry.timeoutMs = parseUptime(row.timeout)
    } catch {
      entry.timeoutMs = 0 // unreadable: renewed
    }
  }
  return entry
}

export async function listQueues(session: RouterOsSession): Promise<QueueRow[]> {
  const [rows, unusual] = await Promise.all([
    session.run('/queue/simple/print', {}, { proplist: QUEUE_PROPS }),
    session.run(
      '/queue/simple/print',
      {},
      { query: UNUSUAL_QUEUES, proplist: ['.id', 'disabled', 'dynamic'] },
    ),
  ])
  const flags = new Map(unusual.map((row) => [row['.id'], row]))
  return rows.map((row) => toQueueRow({ ...row, ...flags.get(row['.id']) }))
}

export async function listBlocked(session: RouterOsSession, family: Family): Promise<EntryRow[]> {
  const rows = await session.run(
    `${addressListMenu(family)}/print`,
    {},
    {
      query: [`?list=${BLOCK_LIST}`],
      proplist: ENTRY_PROPS,
    },
  )
  return rows.map(toEntryRow)
}

/** Everything apply diffs against, read concurrently (the session bounds how many calls are in flight). */
export async function readListing(session: RouterOsSession, options: ListingOptions): Promise<Listing> {
  const [queues, blocked4, blocked6, sessions] = await Promise.all([
    listQueues(session),
    listBlocked(session, 4),
    options.ipv6 ? listBlocked(session, 6) : undefined,
    options.sessions ? listSessions(session, options.warn).then(sessionsByLogin) : undefined,
  ])
  return { queues, blocked4, blocked6, ...(sessions ? { sessions } : {}) }
}
