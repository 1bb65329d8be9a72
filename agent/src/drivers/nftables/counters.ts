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
  for (const [name, down] of installed.counters) {
    const owner = parseObjectName('counter', name)
    if (owner?.role !== 'countDown') continue
    const up = installed.counters.get(objectNames(owner.subscriberId).countUp)
    if (!up) continue
    const quota = installed.quotas.get(objectNames(owner.subscriberId).quota)
    samples.push({
      subscriberId: owner.subscriberId,
      counterId: `nft:${installed.handle}:${down.handle}:${up.handle}`,
      down: down.bytes,
      up: up.bytes,
      // nft lists `used` capped at `over` once the quota has run out.
      ...(quota && quota.usedBytes >= quota.overBytes ? { quotaSpent: true } : {}),
    })
  }
  return samples
}
