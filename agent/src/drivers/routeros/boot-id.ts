/**
 * The router's boot identity from `/system/resource` uptime: the boot time (wall clock − uptime)
 * rounded to a bucket, so a restarted capd agent computes the same id for the same boot. A new id
 * whenever uptime goes back or the estimated boot time moves (a reboot whose new uptime already
 * passed the old one). A boot time estimate straddling a bucket edge across an agent restart costs
 * one rebase (a poll interval of usage), never a bogus delta.
 */

export interface UptimeObservation {
  uptimeMs: number
  /** Monotonic clock when the uptime arrived (ms). */
  monoMs: number
  /** Wall clock at the same moment (ms). */
  wallMs: number
}

/** The id names the boot time to this granularity. */
const BUCKET_MS = 10 * 60_000
/** RouterOS prints uptime in whole seconds; plus request latency and 0.1% clock drift. */
const JITTER_MS = 3_000
const DRIFT = 0.001

interface Generation {
  id: string
  base: string
  uptimeMs: number
  bootMonoMs: number
  monoMs: number
}

export type BootTracker = (observation: UptimeObservation) => string

export function createBootTracker(): BootTracker {
  let current: Generation | undefined
  let restarts = 0
  return function bootIdOf({ uptimeMs, monoMs, wallMs }) {
    const bootMonoMs = monoMs - uptimeMs
    if (current && uptimeMs >= current.uptimeMs) {
      const tolerance = JITTER_MS + DRIFT * Math.max(0, monoMs - current.monoMs)
      if (Math.abs(bootMonoMs - current.bootMonoMs) <= tolerance) {
        current = { ...current, uptimeMs, bootMonoMs, monoMs }
        return current.id
      }
    }
    const bucket = Math.floor((wallMs - uptimeMs) / BUCKET_MS) * BUCKET_MS
    const base = `ros:boot@${new Date(bucket).toISOString().slice(0, 16)}Z`
    // Two boots in one bucket: still two ids.
    const id = current?.base === base ? `${base}:r${++restarts}` : base
    current = { id, base, uptimeMs, bootMonoMs, monoMs }
    return id
  }
}
