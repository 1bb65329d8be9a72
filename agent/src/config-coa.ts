/** The `coa` enforcer of a RADIUS router: RFC 5176 CoA/Disconnect to each session's NAS. */
import { isIP } from 'node:net'
import { parseIpPrefix } from '@capd/protocol'
import { z } from 'zod'
import { ATTRIBUTE_NAMES } from './drivers/radius/coa-attributes.js'

const Prefix = z.string().refine(
  (text) => {
    try {
      parseIpPrefix(text)
      return true
    } catch {
      return false
    }
  },
  { error: 'must be an IPv4/IPv6 address or prefix (no host bits set)' },
)

/** An attribute by dictionary name, or by number (`vendor` for a Vendor-Specific one); `value` may hold placeholders. */
const CoaAttribute = z.union([
  z.strictObject({ name: z.enum(ATTRIBUTE_NAMES), value: z.string().max(247) }),
  z.strictObject({
    type: z.number().int().min(1).max(255),
    vendor: z.number().int().min(1).max(0xffffffff).optional(),
    value: z.string().max(247),
  }),
])

/** `coa` sends the attributes to the session; `disconnect` ends it (the NAS's next login gets the plan again). */
const CoaAction = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('coa'), attributes: z.array(CoaAttribute).min(1) }),
    z.strictObject({ mode: z.literal('disconnect') }),
  ],
  { error: 'mode must be "coa" (with attributes) or "disconnect"' },
)

const CoaNas = z.strictObject({
  /** The NAS, matched to each session's NAS-IP-Address (or the address its accounting came from). */
  address: Prefix,
  /** Where CoA-Requests go; default the session's NAS address. */
  coaAddress: z
    .string()
    .refine((a) => isIP(a) !== 0, { error: 'must be an IP address' })
    .optional(),
  /** RFC 5176 §3 port. */
  port: z.number().int().min(1).max(65535).default(3799),
  /** The NAS's CoA secret, or `file:///path` to a file holding it. */
  secret: z.string().min(1),
  name: z.string().min(1).max(64).optional(),
})

export const CoaEnforcer = z.strictObject({
  kind: z.literal('coa'),
  /** The NASes that take CoA; the longest matching prefix wins. */
  nas: z.array(CoaNas).min(1, { error: 'needs at least one NAS' }),
  /** At a blocking cap (default: MikroTik address list `capd-blocked`). */
  blocked: CoaAction.default({
    mode: 'coa',
    attributes: [{ name: 'Mikrotik-Address-List', value: 'capd-blocked' }],
  }),
  /** At a throttling cap (default: MikroTik rate limit upload/download, the router's rx/tx). */
  throttled: CoaAction.default({
    mode: 'coa',
    attributes: [{ name: 'Mikrotik-Rate-Limit', value: '{throttleUpKbps}k/{throttleKbps}k' }],
  }),
  /** Back to open after a top-up: the plan's own attributes (e.g. its Mikrotik-Rate-Limit), or a disconnect. */
  restored: CoaAction,
  /** How long one request waits for its answer. */
  timeoutMs: z.number().int().min(50).max(60_000).default(3000),
  /** Retries back off from this … */
  retryMinMs: z.number().int().min(10).max(600_000).default(1000),
  /** … to this. */
  retryMaxMs: z.number().int().min(10).max(3_600_000).default(60_000),
  /** Requests awaiting an answer from one NAS at a time. */
  inFlightPerNas: z.number().int().min(1).max(64).default(4),
})
export type CoaEnforcer = z.infer<typeof CoaEnforcer>
