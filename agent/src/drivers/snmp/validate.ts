/** Checks the counter source's options once, up front, so a typo fails at start-up and not on the first poll. */
import type { SnmpCounterSourceOptions } from './counter-source.js'
import type { SnmpAuthProtocol, SnmpPrivProtocol } from './session.js'
import { TABLES } from './tables.js'

const AUTH: readonly SnmpAuthProtocol[] = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']
const PRIV: readonly SnmpPrivProtocol[] = ['aes', 'aes256b', 'aes256r']
/** RFC 3414 §11.2: USM passphrases are at least 8 characters; agents refuse shorter ones. */
const MIN_KEY_LENGTH = 8

export function validateOptions(options: SnmpCounterSourceOptions): void {
  const fail = (message: string): never => {
    throw new TypeError(`SNMP counter source: ${message}`)
  }
  const intIn = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      fail(`${name} must be an integer from ${min} to ${max}, got ${value}`)
    }
  }
  if (typeof options.host !== 'string' || options.host === '') fail('host is required')
  if (!Object.hasOwn(TABLES, options.table)) fail(`table must be one of ${Object.keys(TABLES).join(', ')}`)
  if (options.downloadIs !== undefined && options.downloadIs !== 'in' && options.downloadIs !== 'out') {
    fail(`downloadIs must be 'in' or 'out', got ${options.downloadIs}`)
  }
  intIn('port', options.port, 1, 65_535)
  intIn('timeoutMs', options.timeoutMs, 1, 600_000)
  intIn('retries', options.retries, 0, 10)
  intIn('maxRepetitions', options.maxRepetitions, 1, 1_000)
  intIn('varbindsPerRequest', options.varbindsPerRequest, 1, 1_000)
  intIn('concurrency', options.concurrency, 1, 64)
  if (options.version === '2c') {
    if (!options.community) fail('community is required for SNMPv2c')
    return
  }
  if (options.version !== '3')
    fail(`version must be '2c' or '3', got ${(options as { version: unknown }).version}`)
  if (options.engine === 'snmp-native') fail('snmp-native speaks SNMPv1/v2c only; SNMPv3 uses net-snmp')
  if (!options.user) fail('user is required for SNMPv3')
  if (!AUTH.includes(options.authProtocol)) fail(`authProtocol must be one of ${AUTH.join(', ')}`)
  if (!PRIV.includes(options.privProtocol)) fail(`privProtocol must be one of ${PRIV.join(', ')}`)
  for (const key of ['authKey', 'privKey'] as const) {
    if (typeof options[key] !== 'string' || options[key].length < MIN_KEY_LENGTH) {
      fail(`${key} must be at least ${MIN_KEY_LENGTH} characters (RFC 3414)`)
    }
  }
}
