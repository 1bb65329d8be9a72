/**
 * Per-subscriber byte counters over SNMP: each subscriber is an interface (by ifName) or a MikroTik
 * simple queue (by name). Every poll walks the name column afresh, because indexes shift when
 * interfaces and queues come and go, then reads only the wanted rows.
 */
import type { CounterReading, CounterSample } from '../driver.js'
import { createBootTracker } from './boot-id.js'
import { createNativeSession } from './native-session.js'
import { createNetSnmpSession } from './net-snmp-session.js'
import { SNMP_ENGINE_BOOTS, SYS_UP_TIME } from './oids.js'
import { SnmpError, type SnmpSession, type SnmpSessionOptions } from './session.js'
import {
  type CounterTable,
  type DownloadCounter,
  indexByName,
  rowColumns,
  rowSample,
  TABLES,
} from './tables.js'
import { validateOptions } from './validate.js'
import { integer, timeTicks } from './varbind.js'
import { getMany, walkColumn } from './walk.js'

export type SnmpCounterSourceOptions = SnmpSessionOptions & {
  table: CounterTable
  /** Which counter is the subscriber's download; default `out` for both tables (see tables.ts). */
  downloadIs?: DownloadCounter
  /** Rows per GetBulk while walking names; default 40 (answers stay under a 1500-byte MTU). */
  maxRepetitions?: number
  /** Variables per GetRequest; default 48 (about 1.4 kB of Counter64 answers). */
  varbindsPerRequest?: number
  /** GetRequests in flight at once; default 8. */
  concurrency?: number
  /** SNMPv2c client library; default snmp-native. SNMPv3 always uses net-snmp. */
  engine?: 'snmp-native' | 'net-snmp'
}

export interface SnmpCounterSource {
  /**
   * Counters of the subscribers whose interface or queue (`names`: subscriber id → name) exists on
   * the router now; a name not found is simply absent from the samples.
   */
  readCounters(names: ReadonlyMap<string, string>): Promise<CounterReading>
  close(): Promise<void>
}

export const SNMP_DEFAULTS = { maxRepetitions: 40, varbindsPerRequest: 48, concurrency: 8 } as const

/** `openSession` replaces the network client (tests serve fixtures through it). */
export function createSnmpCounterSource(
  options: SnmpCounterSourceOptions,
  {
    openSession = openClientSession,
  }: { openSession?: (options: SnmpCounterSourceOptions) => SnmpSession } = {},
): SnmpCounterSource {
  validateOptions(options)
  const {
    maxRepetitions = SNMP_DEFAULTS.maxRepetitions,
    varbindsPerRequest = SNMP_DEFAULTS.varbindsPerRequest,
    concurrency = SNMP_DEFAULTS.concurrency,
  } = options
  const base = TABLES[options.table]
  const spec = { ...base, downloadIs: options.downloadIs ?? base.downloadIs }
  const columns = rowColumns(spec)
  const session = openSession(options)
  const bootIdOf = createBootTracker()
  let closed = false

  return {
    async readCounters(names) {
      if (closed) throw new SnmpError('network', 'the SNMP counter source is closed')
      const walked = await walkColumn(session, spec.nameColumn, maxRepetitions)
      const indexes = indexByName(spec.nameColumn, walked)
      // One read per row, however many subscribers share it.
      const rows = new Map<string, string>()
      for (const name of names.values()) {
        const index = indexes.get(name)
        if (index !== undefined) rows.set(index, name)
      }
      const oids = [SYS_UP_TIME, SNMP_ENGINE_BOOTS]
      for (const index of rows.keys()) for (const column of columns) oids.push(`${column}.${index}`)

      const monoMs = performance.now()
      const atMs = Date.now()
      const values = await getMany(session, oids, { perRequest: varbindsPerRequest, concurrency })
      const uptimeTicks = timeTicks(values[0]!)
      if (uptimeTicks === undefined) {
        throw new SnmpError('protocol', `sysUpTime.0 is ${values[0]!.type}, not TimeTicks`)
      }
      const bootId = bootIdOf({ engineBoots: integer(values[1]!), uptimeTicks, monoMs, wallMs: atMs })

      const rowValues = new Map<string, typeof values>()
      let offset = 2
      for (const index of rows.keys()) {
        rowValues.set(index, values.slice(offset, offset + columns.length))
        offset += columns.length
      }
      const samples: CounterSample[] = []
      for (const [subscriberId, name] of names) {
        const index = indexes.get(name)
        const row = index === undefined ? undefined : rowValues.get(index)
        const sample = row && rowSample(spec, subscriberId, name, index!, row)
        if (sample) samples.push(sample)
      }
      return { atMs, bootId, samples }
    },
    async close() {
      closed = true
      session.close()
    },
  }
}

function openClientSession(options: SnmpCounterSourceOptions): SnmpSession {
  if (options.version === '2c' && options.engine !== 'net-snmp') return createNativeSession(options)
  return createNetSnmpSession(options)
}
