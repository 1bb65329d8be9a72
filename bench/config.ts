/** Benchmark knobs, read once from the environment so a quick or a long run needs no code change. */
import { tmpdir } from 'node:os'

export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

export function positiveInts(name: string, fallback: number[]): number[] {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  return raw.split(',').map((part) => {
    const value = Number(part.trim())
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`${name} must list positive integers, got "${raw}"`)
    return value
  })
}

export interface BenchConfig {
  /** Seconds of measured load per HTTP scenario. */
  seconds: number
  /** Seconds of unmeasured load first, so the JIT and the page cache are warm. */
  warmupSeconds: number
  connections: number
  /** Store sizes to run, in subscribers. */
  subscriberCounts: number[]
  /** Single top-up transactions timed per store size, each one log append. */
  writes: number
  /** Snapshots of the whole document timed per store size. */
  snapshots: number
  /** Parent of the scratch data dirs: it must be a real disk for fsync to cost what it costs in production. */
  tmpRoot: string
}

export function readConfig(): BenchConfig {
  return {
    seconds: positiveInt('BENCH_SECONDS', 5),
    warmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', 1),
    connections: positiveInt('BENCH_CONNECTIONS', 32),
    subscriberCounts: positiveInts('BENCH_SUBSCRIBERS', [1_000, 10_000, 50_000]),
    writes: positiveInt('BENCH_WRITES', 20),
    snapshots: positiveInt('BENCH_SNAPSHOTS', 3),
    tmpRoot: process.env.BENCH_TMPDIR || tmpdir(),
  }
}
