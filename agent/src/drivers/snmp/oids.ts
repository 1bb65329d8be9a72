/** The OIDs the counter source reads, with the MIB each comes from. */

/** SNMPv2-MIB sysUpTime.0: hundredths of a second since the agent (re)initialised; wraps at 2^32. */
export const SYS_UP_TIME = '1.3.6.1.2.1.1.3.0'
/** SNMP-FRAMEWORK-MIB snmpEngineBoots.0: times the agent (re)initialised, kept across reboots. */
export const SNMP_ENGINE_BOOTS = '1.3.6.1.6.3.10.2.1.2.0'

/** IF-MIB ifXEntry (RFC 2863), indexed by ifIndex. */
const IF_X_ENTRY = '1.3.6.1.2.1.31.1.1.1'
export const IF_NAME = `${IF_X_ENTRY}.1`
export const IF_HC_IN_OCTETS = `${IF_X_ENTRY}.6`
export const IF_HC_OUT_OCTETS = `${IF_X_ENTRY}.10`
/** sysUpTime at the last discontinuity of any of the interface's counters (0: none since the agent started). */
export const IF_COUNTER_DISCONTINUITY_TIME = `${IF_X_ENTRY}.19`

/**
 * MIKROTIK-MIB mtxrQueueSimpleEntry (enterprise 14988), indexed by mtxrQueueSimpleIndex. Columns
 * checked against the MIB text (mtxrQueueSimpleName DisplayString ::= { entry 2 },
 * mtxrQueueSimpleBytesIn/Out Counter64 ::= { entry 8 / 9 }). The MIB leaves the descriptions of
 * BytesIn/BytesOut empty: which one is the target's download is not specified there (see
 * `tables.ts`).
 */
const MTXR_QUEUE_SIMPLE_ENTRY = '1.3.6.1.4.1.14988.1.1.2.1.1'
export const MTXR_QUEUE_SIMPLE_NAME = `${MTXR_QUEUE_SIMPLE_ENTRY}.2`
export const MTXR_QUEUE_SIMPLE_BYTES_IN = `${MTXR_QUEUE_SIMPLE_ENTRY}.8`
export const MTXR_QUEUE_SIMPLE_BYTES_OUT = `${MTXR_QUEUE_SIMPLE_ENTRY}.9`

/** Numeric order of two dotted OIDs (lexicographic by arc), as agents order them. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.')
  const y = b.split('.')
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i])
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1
}

/** The instance suffix of `oid` under `column`, or undefined when it is not in that subtree. */
export function instanceOf(column: string, oid: string): string | undefined {
  return oid.startsWith(`${column}.`) ? oid.slice(column.length + 1) : undefined
}
