/** Per-subscriber counter samples out of a table listing; the counterId changes whenever a counter is re-created. */
import type { CounterSample } from '../driver.js'
import { objectNames, parseObjectName } from './layout.js'
import type { InstalledTable } from './nft-json.js'

const computed = new WeakMap<InstalledTable, CounterSample[]>()

/**
 * Samples for every subscriber with both counters. The id holds the table handle (never reused in a
 * namespace) and both object handles (never reused in a table), so any re-creation shows.
 */
export function counterSamples(installed: InstalledTable): CounterSample[] {
  // A poll reads the samples and then plans from the same listing: compute them once per listing.
  const known = computed.get(installed)
  if (known) return known
  const samples: CounterSample[] = []
  computed.set(installed, samples)
  for (const name of installed.counters.keys()) {
    const owner = parseObjectName('counter', name)
    if (owner?.role !== 'countDown') continue
    const sample = sampleOf(installed, owner.subscriberId)
    if (sample) samples.push(sample)
  }
  return samples
}

/** The samples of these subscribers alone (those with both counters). */
export function samplesOf(installed: InstalledTable, ids: Iterable<string>): CounterSample[] {
  return [...ids].flatMap((id) => sampleOf(installed, id) ?? [])
}

function sampleOf(installed: InstalledTable, subscriberId: string): CounterSample | undefined {
  const names = objectNames(subscriberId)
  const down = installed.counters.get(names.countDown)
  const up = installed.counters.get(names.countUp)
  if (!down || !up) return undefined
  const quota = installed.quotas.get(names.quota)
  return {
    subscriberId,
    counterId: `nft:${installed.handle}:${down.handle}:${up.handle}`,
    down: down.bytes,
    up: up.bytes,
    // nft lists `used` capped at `over` once the quota has run out.
    ...(quota && quota.usedBytes >= quota.overBytes ? { quotaSpent: true } : {}),
  }
}
