/**
 * The counter tables a subscriber can be mapped into (an interface by ifName, a MikroTik simple queue
 * by name), and the pure steps of a poll: names → row indexes, row values → counter samples.
 */
import type { CounterSample } from '../driver.js'
import {
  compareOids,
  IF_COUNTER_DISCONTINUITY_TIME,
  IF_HC_IN_OCTETS,
  IF_HC_OUT_OCTETS,
  IF_NAME,
  instanceOf,
  MTXR_QUEUE_SIMPLE_BYTES_IN,
  MTXR_QUEUE_SIMPLE_BYTES_OUT,
  MTXR_QUEUE_SIMPLE_NAME,
} from './oids.js'
import { SnmpError } from './session.js'
import {
  counter64,
  displayString,
  isException,
  type SnmpValue,
  tagName,
  timeTicks,
  type Varbind,
} from './varbind.js'

export type CounterTable = 'ifName' | 'mikrotikQueue'

/** Which of the router's octet counters is the subscriber's download. */
export type DownloadCounter = 'in' | 'out'

export interface TableSpec {
  readonly nameColumn: string
  readonly inColumn: string
  readonly outColumn: string
  /** A per-row TimeTicks whose change means the row's counters restarted. */
  readonly discontinuityColumn?: string
  readonly downloadIs: DownloadCounter
  /** Counter identity: name and row index (a re-created interface or queue gets a new index). */
  counterId(name: string, index: string, discontinuity: bigint | undefined): string
}

export const TABLES: Readonly<Record<CounterTable, TableSpec>> = {
  // The router sends a customer's download out of the customer-facing interface and receives the
  // upload on it, so out = down.
  ifName: {
    nameColumn: IF_NAME,
    inColumn: IF_HC_IN_OCTETS,
    outColumn: IF_HC_OUT_OCTETS,
    discontinuityColumn: IF_COUNTER_DISCONTINUITY_TIME,
    downloadIs: 'out',
    counterId: (name, index, discontinuity) => `ifName:${name}:ifIndex:${index}:disc:${discontinuity ?? '-'}`,
  },
  // Not settled by the MIB (empty descriptions) nor tested against RouterOS here: tools disagree.
  // Out = towards the queue's target (the customer) = download is the common reading; verify with
  // one known download and set `downloadIs` if a router says otherwise.
  mikrotikQueue: {
    nameColumn: MTXR_QUEUE_SIMPLE_NAME,
    inColumn: MTXR_QUEUE_SIMPLE_BYTES_IN,
    outColumn: MTXR_QUEUE_SIMPLE_BYTES_OUT,
    downloadIs: 'out',
    counterId: (name, index) => `queue:${name}:index:${index}`,
  },
}

/**
 * Row index of every name in a walked name column. A name can appear twice: net-snmp keeps a
 * deleted interface for `interface_fadeout` (300 s) next to its re-created namesake. The newest
 * row, the highest index (Linux and RouterOS allocate them upwards), is the live one.
 */
export function indexByName(column: string, rows: readonly Varbind[]): Map<string, string> {
  const indexes = new Map<string, string>()
  for (const row of rows) {
    const index = instanceOf(column, row.oid)
    const name = displayString(row.value)
    if (index === undefined || name === undefined) continue
    const seen = indexes.get(name)
    if (seen === undefined || compareOids(index, seen) > 0) indexes.set(name, index)
  }
  return indexes
}

/** The columns read for one row, in the order `rowValues` expects them. */
export function rowColumns(spec: TableSpec): string[] {
  const columns = [spec.nameColumn, spec.inColumn, spec.outColumn]
  if (spec.discontinuityColumn) columns.push(spec.discontinuityColumn)
  return columns
}

/**
 * The sample of one row from its `rowColumns` values, or undefined when the row vanished or was
 * re-used for another name between the walk and the read (it is read again next poll).
 */
export function rowSample(
  spec: TableSpec,
  subscriberId: string,
  name: string,
  index: string,
  values: readonly SnmpValue[],
): CounterSample | undefined {
  const [nameValue, inValue, outValue, discontinuityValue] = values
  if (!nameValue || displayString(nameValue) !== name) return undefined
  const octetsIn = octets(spec.inColumn, index, inValue)
  const octetsOut = octets(spec.outColumn, index, outValue)
  if (octetsIn === undefined || octetsOut === undefined) return undefined
  const discontinuity = discontinuityValue ? timeTicks(discontinuityValue) : undefined
  const [down, up] = spec.downloadIs === 'out' ? [octetsOut, octetsIn] : [octetsIn, octetsOut]
  return { subscriberId, counterId: spec.counterId(name, index, discontinuity), down, up }
}

/** A Counter64, undefined for a row that is gone; anything else is an agent we cannot count with. */
function octets(column: string, index: string, value: SnmpValue | undefined): bigint | undefined {
  if (!value || isException(value)) return undefined
  const bytes = counter64(value)
  if (bytes !== undefined) return bytes
  const found = value.type === 'other' ? tagName(value.tag) : value.type
  throw new SnmpError(
    'protocol',
    `${column}.${index} is ${found}, not Counter64: the agent has no 64-bit byte counters here ` +
      '(32-bit ones wrap within a poll at gigabit rates)',
  )
}
