/**
 * The router's boot identity from what SNMP offers: sysUpTime (the agent's uptime) and
 * snmpEngineBoots. RFC 2863 lets every counter restart when the agent re-initialises, so an agent
 * restart counts as a reboot: it costs one poll interval of usage, never a bogus delta.
 */

export interface BootObservation {
  /** snmpEngineBoots.0, undefined when the agent does not offer it. */
  engineBoots: bigint | undefined
  /** sysUpTime.0 in hundredths of a second. */
  uptimeTicks: bigint
  /** Monotonic clock when sysUpTime was read, ms. */
  monoMs: number
  /** Wall clock at the same moment, ms. */
  wallMs: number
}

interface Generation {
  id: string
  base: string
  engineBoots: bigint | undefined
  uptimeTicks: bigint
  bootMonoMs: number
  monoMs: number
}

/** The id names the estimated boot time to this granularity, so a restarted capd agent finds the same id. */
const BOOT_BUCKET_MS = 10 * 60_000
/** Jitter allowed in the estimated boot time between polls: request latency plus 0.1% clock drift. */
const BOOT_JITTER_MS = 2_000
const DRIFT = 0.001

export type BootTracker = (observation: BootObservation) => string

/**
 * A new id whenever engineBoots changes, sysUpTime goes back (a reboot, or its wrap after 497
 * days), or the estimated boot time moved (a reboot whose new uptime already passed the old one).
 */
export function createBootTracker(): BootTracker {
  let current: Generation | undefined
  let restarts = 0
  return function bootIdOf(observation) {
    const uptimeMs = Number(observation.uptimeTicks) * 10
    const bootMonoMs = observation.monoMs - uptimeMs
    const next = { ...observation, bootMonoMs }
    if (current && sameBoot(current, next)) {
      current = { ...current, uptimeTicks: next.uptimeTicks, bootMonoMs, monoMs: next.monoMs }
      return current.id
    }
    const bucket = Math.floor((observation.wallMs - uptimeMs) / BOOT_BUCKET_MS)
    const base = `snmp:boots=${observation.engineBoots ?? '?'}:up@${bucket}`
    // Two boots in one bucket without engineBoots: still two ids.
    const id = current?.base === base ? `${base}:r${++restarts}` : base
    current = {
      id,
      base,
      engineBoots: observation.engineBoots,
      uptimeTicks: next.uptimeTicks,
      bootMonoMs,
      monoMs: next.monoMs,
    }
    return id
  }
}

function sameBoot(previous: Generation, next: BootObservation & { bootMonoMs: number }): boolean {
  if (previous.engineBoots !== next.engineBoots) return false
  if (next.uptimeTicks < previous.uptimeTicks) return false
  const tolerance = BOOT_JITTER_MS + DRIFT * Math.max(0, next.monoMs - previous.monoMs)
  return Math.abs(next.bootMonoMs - previous.bootMonoMs) <= tolerance
}
