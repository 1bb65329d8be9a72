/** When and how to (re)install one subscriber's kernel quota so nothing passes the cap between polls. */

/**
 * Largest packet the forward path may see (a GRO/GSO super-packet). A quota that ran out with less
 * than this left ran out honestly: the packet that would have crossed the cap was dropped.
 */
export const MAX_PACKET_BYTES = 65_536n

export interface QuotaInput {
  /** Bytes the agent still allows, as of the reading. */
  remainingBytes: bigint
  /**
   * The counted bytes in that reading (down + up, or the one direction the quota counts), when the
   * counters there are the ones installed now (same counterId).
   */
  readingTotal: bigint | undefined
  /** The counted bytes installed now; undefined when the counters are about to be created (at 0). */
  currentTotal: bigint | undefined
  installed: { overBytes: bigint; usedBytes: bigint } | undefined
  /** The cap this driver last installed for the subscriber, when it remembers one. */
  lastCap: bigint | undefined
}

export type QuotaDecision =
  | { action: 'keep'; cap: bigint }
  /** `add quota` on the live object: new `over`, consumption kept. */
  | { action: 'update'; cap: bigint; overBytes: bigint }
  /** A new object (deleted first when one exists): consumption starts at 0. */
  | { action: 'create'; cap: bigint; overBytes: bigint }

/**
 * The cap lives in counter space (down + up for a quota matched both ways; only down or only up for
 * a one-way quota: the counted direction's counter is the one that moves in step with the quota while
 * it passes packets), so it stays put from poll to poll and the quota is re-issued only when the agent's limit
 * really moved. Kernel facts this relies on: an existing quota's `over` can be changed keeping its
 * consumption; every packet the quota sees is added to its consumption, dropped ones too; and once
 * depleted the kernel reports `used` capped at `over`, so the true consumption is unknown — a
 * depleted quota is therefore re-created, never raised.
 */
export function planQuota(input: QuotaInput): QuotaDecision {
  const { remainingBytes, readingTotal, currentTotal, installed, lastCap } = input
  const passedSinceReading =
    readingTotal !== undefined && currentTotal !== undefined && currentTotal > readingTotal
      ? currentTotal - readingTotal
      : 0n
  const left = remainingBytes - passedSinceReading
  const cap = (currentTotal ?? 0n) + left
  const atLeastOne = (n: bigint) => (n > 1n ? n : 1n)
  if (!installed) return { action: 'create', cap, overBytes: atLeastOne(left) }

  if (installed.usedBytes >= installed.overBytes) {
    // Depleted: nothing has passed since, so `left` is exact. Keep it if it ran out honestly.
    const honest = left <= 0n || (left < MAX_PACKET_BYTES && lastCap === cap)
    return honest ? { action: 'keep', cap } : { action: 'create', cap, overBytes: atLeastOne(left) }
  }
  const enforced = installed.overBytes - installed.usedBytes + (currentTotal ?? 0n)
  if (lastCap === cap || (lastCap === undefined && enforced === cap)) return { action: 'keep', cap }
  return { action: 'update', cap, overBytes: atLeastOne(installed.usedBytes + (left > 0n ? left : 0n)) }
}
