/** Per-subscriber counter samples out of a table listing; the counterId changes whenever a counter is re-created. */
import type { CounterSample } from '../driver.js'
import { objectNames, parseObjectName } from './layout.js'
import type { InstalledTable } from './nft-json.js'
import { finish, finishInSlices } from './steps.js'

const computed = new WeakMap<InstalledTable, CounterSample[]>()

/**
 * Samples for every subscriber with both counters. The id holds the table handle (never reused in a
 * namespace) and both object handles (never reused in a table), so any re-creation shows.
 */
export function counterSamples(installed: InstalledTable): CounterSample[] {
  // A poll reads the samples and then plans from the same listing: compute them once per listing.
  return computed.get(installed) ?? keep(installed, finish(sampleSteps(installed)))
}

/** As counterSamples, with `breathe()` every thousand counters (10k subscribers: ~20 ms in all). */
export async function counterSamplesInSlices(
  installed: InstalledTable,
  breathe: () => Promise<void>,
): Promise<CounterSample[]> {
  const known = computed.get(installed)
  if (known) return known
  const samples = await finishInSlices(sampleSteps(installed), breathe)
  // Another caller may have computed them meanwhile: every caller gets the same array.
  return computed.get(installed) ?? keep(installed, samples)
}

function keep(installed: InstalledTable, samples: CounterSample[]): CounterSample[] {
  computed.set(installed, samples)
  return samples
}

function* sampleSteps(installed: InstalledTable): Generator<void, CounterSample[]> {
  const samples: CounterSample[] = []
  let n = 0
  for (const name of installed.counters.keys()) {
    const sample = sampleNamed(installed, name)
    if (sample) samples.push(sample)
    if (++n % 1000 === 0) yield
  }
  return samples
}

/** The sample of the subscriber whose download counter this is (none for any other name). */
function sampleNamed(installed: InstalledTable, counterName: string): CounterSample | undefined {
  const owner = parseObjectName('counter', counterName)
  return owner?.role === 'countDown' ? sampleOf(installed, owner.subscriberId) : undefined
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
