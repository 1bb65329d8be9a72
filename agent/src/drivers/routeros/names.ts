/** What capd calls its RouterOS objects, and how it tells its own (`capd:<subscriberId>` comments) from the operator's. */

/** The firewall address list whose entries are dropped by the capd filter rules. */
export const BLOCK_LIST = 'capd-blocked'

const SUBSCRIBER_ID = /^[A-Za-z0-9_-]{1,64}$/

export function checkSubscriberId(subscriberId: string): void {
  if (!SUBSCRIBER_ID.test(subscriberId)) {
    throw new RangeError(`subscriber id "${subscriberId}" must match ${SUBSCRIBER_ID}`)
  }
}

/** Name of a subscriber's simple queue, and the comment that marks it (and its list entry) as capd's. */
export const ownName = (subscriberId: string) => `capd:${subscriberId}`

/** What an adopted queue was before capd took it over, so it can be handed back unchanged. */
export interface AdoptedFrom {
  name: string
  /** `max-limit` as the operator had it: the rate while capd does not throttle. */
  maxLimit: string
  comment?: string
}

export interface Owner {
  subscriberId: string
  /** Set for an adopted queue; `'unknown'` when its comment was edited beyond reading. */
  adopted?: AdoptedFrom | 'unknown'
  /**
   * A queue that only throttles a subscriber known by login (its session counts it): never read
   * as the subscriber's counter, and never kept as one when the subscriber gets an address.
   */
  session?: true
}

const ADOPTED = ' adopted '
const SESSION = ' session'

/** The comment of a queue that only throttles a subscriber's sessions. */
export const sessionComment = (subscriberId: string) => `${ownName(subscriberId)}${SESSION}`

/** `capd:<id> adopted {"name":…,"maxLimit":…,"comment":…}`: JSON, so any name or comment survives the round trip. */
export function adoptedComment(subscriberId: string, from: AdoptedFrom): string {
  return `${ownName(subscriberId)}${ADOPTED}${JSON.stringify(from)}`
}

/** The owner a comment names, or undefined for anything that is not exactly one of ours. */
export function parseOwner(comment: string | undefined): Owner | undefined {
  const session = /^capd:([A-Za-z0-9_-]{1,64}) session$/.exec(comment ?? '')
  if (session) return { subscriberId: session[1]!, session: true }
  const match = /^capd:([A-Za-z0-9_-]{1,64})(?:( adopted\b)(.*))?$/s.exec(comment ?? '')
  if (!match) return undefined
  const subscriberId = match[1]!
  if (!match[2]) return { subscriberId }
  return { subscriberId, adopted: parseAdopted(match[3]!.trim()) }
}

function parseAdopted(json: string): AdoptedFrom | 'unknown' {
  try {
    const value: unknown = JSON.parse(json)
    if (typeof value !== 'object' || value === null) return 'unknown'
    const { name, maxLimit, comment } = value as Record<string, unknown>
    if (typeof name !== 'string' || typeof maxLimit !== 'string') return 'unknown'
    if (comment !== undefined && typeof comment !== 'string') return 'unknown'
    return comment === undefined ? { name, maxLimit } : { name, maxLimit, comment }
  } catch {
    return 'unknown'
  }
}
