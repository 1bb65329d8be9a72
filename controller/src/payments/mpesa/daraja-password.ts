/** The Timestamp and Password every STK request carries. */

/** Kenya keeps East Africa Time, UTC+3, all year (no daylight saving). */
const EAT_OFFSET_MS = 3 * 3600_000

/** `YYYYMMDDHHmmss` in East Africa Time, as Daraja checks it. */
export function darajaTimestamp(atMs: number): string {
  return new Date(atMs + EAT_OFFSET_MS).toISOString().replace(/[-T:]/g, '').slice(0, 14)
}

/** base64(shortcode + passkey + timestamp): proves the shortcode's owner sent the request. */
export function darajaPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`).toString('base64')
}
