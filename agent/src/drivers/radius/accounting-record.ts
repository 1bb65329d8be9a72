/** What one Accounting-Request says (RFC 2866 §5, RFC 2869 §5.1–5.2 Gigawords), read from its attributes by number. */
import { isIP } from 'node:net'
import type { RadiusAttribute } from './codec.js'

export const ATTR = {
  userName: 1,
  nasIpAddress: 4,
  framedIpAddress: 8,
  nasIdentifier: 32,
  acctStatusType: 40,
  acctDelayTime: 41,
  acctInputOctets: 42,
  acctOutputOctets: 43,
  acctSessionId: 44,
  acctSessionTime: 46,
  acctInputGigawords: 52,
  acctOutputGigawords: 53,
  nasIpv6Address: 95,
  framedIpv6Address: 168,
} as const

export const STATUS = { start: 1, stop: 2, interim: 3, accountingOn: 7, accountingOff: 8 } as const

export type AccountingStatus = 'start' | 'interim' | 'stop' | 'nasOn' | 'nasOff' | 'other'

export interface AccountingRecord {
  status: AccountingStatus
  sessionId?: string
  userName?: string
  /** NAS-IP-Address (or NAS-IPv6-Address) and NAS-Identifier, as sent. */
  nasIp?: string
  nasIdentifier?: string
  /** Framed-IP-Address, or else Framed-IPv6-Address. */
  framedIp?: string
  /** Session totals with Gigawords: Acct-Output = to the user = download; Acct-Input = upload. */
  down: bigint
  up: bigint
  sessionTimeS?: number
  delayS: number
}

/** Thrown for a request that cannot be recorded: it is dropped unanswered so the NAS keeps it. */
export class AccountingRecordError extends Error {}

const STATUS_NAMES = new Map<number, AccountingStatus>([
  [STATUS.start, 'start'],
  [STATUS.stop, 'stop'],
  [STATUS.interim, 'interim'],
  [STATUS.accountingOn, 'nasOn'],
  [STATUS.accountingOff, 'nasOff'],
])

export function readAccountingRecord(attributes: readonly RadiusAttribute[]): AccountingRecord {
  const first = (type: number) => attributes.find((a) => a.type === type)?.value
  const integer = (type: number, name: string): number | undefined => {
    const value = first(type)
    if (value === undefined) return undefined
    if (value.length !== 4) throw new AccountingRecordError(`${name} is ${value.length} bytes, not 4`)
    return value.readUInt32BE(0)
  }
  const text = (type: number) => first(type)?.toString('utf8')
  const status = integer(ATTR.acctStatusType, 'Acct-Status-Type')
  if (status === undefined) throw new AccountingRecordError('no Acct-Status-Type')
  const total = (octets: number, gigawords: number, name: string) =>
    (BigInt(integer(gigawords, `${name}-Gigawords`) ?? 0) << 32n) +
    BigInt(integer(octets, `${name}-Octets`) ?? 0)
  const record: AccountingRecord = {
    status: STATUS_NAMES.get(status) ?? 'other',
    down: total(ATTR.acctOutputOctets, ATTR.acctOutputGigawords, 'Acct-Output'),
    up: total(ATTR.acctInputOctets, ATTR.acctInputGigawords, 'Acct-Input'),
    delayS: integer(ATTR.acctDelayTime, 'Acct-Delay-Time') ?? 0,
  }
  const sessionTimeS = integer(ATTR.acctSessionTime, 'Acct-Session-Time')
  if (sessionTimeS !== undefined) record.sessionTimeS = sessionTimeS
  const sessionId = text(ATTR.acctSessionId)
  if (sessionId) record.sessionId = sessionId
  const userName = text(ATTR.userName)
  if (userName) record.userName = userName
  const nasIdentifier = text(ATTR.nasIdentifier)
  if (nasIdentifier) record.nasIdentifier = nasIdentifier
  const nasIp = ipv4(first(ATTR.nasIpAddress)) ?? ipv6(first(ATTR.nasIpv6Address))
  if (nasIp) record.nasIp = nasIp
  const framedIp = ipv4(first(ATTR.framedIpAddress)) ?? ipv6(first(ATTR.framedIpv6Address))
  if (framedIp) record.framedIp = framedIp
  const perSession = record.status === 'start' || record.status === 'interim' || record.status === 'stop'
  if (perSession && !record.sessionId)
    throw new AccountingRecordError(`${record.status} without Acct-Session-Id`)
  return record
}

function ipv4(value: Buffer | undefined): string | undefined {
  return value?.length === 4 ? [...value].join('.') : undefined
}

function ipv6(value: Buffer | undefined): string | undefined {
  if (value?.length !== 16) return undefined
  const groups = Array.from({ length: 8 }, (_, i) => value.readUInt16BE(2 * i).toString(16))
  const text = groups.join(':')
  return isIP(text) === 6 ? text : undefined
}

/** Attributes for a request saying `record` (the inverse of readAccountingRecord, for tests and tools). */
export function accountingAttributes(record: AccountingRecord): RadiusAttribute[] {
  const attributes: RadiusAttribute[] = []
  const int = (type: number, n: number | bigint) => {
    const value = Buffer.alloc(4)
    value.writeUInt32BE(Number(n))
    attributes.push({ type, value })
  }
  const str = (type: number, s: string | undefined) => {
    if (s !== undefined) attributes.push({ type, value: Buffer.from(s, 'utf8') })
  }
  const code = [...STATUS_NAMES].find(([, name]) => name === record.status)?.[0] ?? 15
  int(ATTR.acctStatusType, code)
  str(ATTR.acctSessionId, record.sessionId)
  str(ATTR.userName, record.userName)
  str(ATTR.nasIdentifier, record.nasIdentifier)
  if (record.nasIp)
    attributes.push({ type: ATTR.nasIpAddress, value: Buffer.from(record.nasIp.split('.').map(Number)) })
  if (record.framedIp)
    attributes.push({
      type: ATTR.framedIpAddress,
      value: Buffer.from(record.framedIp.split('.').map(Number)),
    })
  if (record.status !== 'start' && record.status !== 'nasOn' && record.status !== 'nasOff') {
    int(ATTR.acctOutputOctets, record.down & 0xffffffffn)
    int(ATTR.acctOutputGigawords, record.down >> 32n)
    int(ATTR.acctInputOctets, record.up & 0xffffffffn)
    int(ATTR.acctInputGigawords, record.up >> 32n)
  }
  if (record.sessionTimeS !== undefined) int(ATTR.acctSessionTime, record.sessionTimeS)
  if (record.delayS) int(ATTR.acctDelayTime, record.delayS)
  return attributes
}
