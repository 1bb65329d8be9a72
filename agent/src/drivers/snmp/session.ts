/** What the counter source needs from an SNMP client, the options to open one, and the one error type. */
import type { Varbind } from './varbind.js'

export type SnmpAuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512'
/**
 * AES-128, or AES-256 with Blumenthal (net-snmp's `AES-256`) or Reeder (`AES-256-C`, Cisco) key
 * extension; the two differ only with an auth protocol whose digest is shorter than 32 bytes.
 * DES is not offered: Node's OpenSSL 3 refuses it.
 */
export type SnmpPrivProtocol = 'aes' | 'aes256b' | 'aes256r'

export type SnmpCredentials =
  | { version: '2c'; community: string }
  | {
      version: '3'
      user: string
      authProtocol: SnmpAuthProtocol
      authKey: string
      privProtocol: SnmpPrivProtocol
      privKey: string
    }

export interface SnmpTarget {
  host: string
  /** Default 161. */
  port?: number
  /** Wait per attempt of one request; default 2000. */
  timeoutMs?: number
  /** Extra attempts of a request after the first times out; default 1. */
  retries?: number
}

export type SnmpSessionOptions = SnmpTarget & SnmpCredentials

export interface SnmpSession {
  /** One GetRequest; the answer has one varbind per requested OID, in order. */
  get(oids: readonly string[]): Promise<Varbind[]>
  /**
   * One GetBulkRequest without non-repeaters: for each OID, up to `maxRepetitions` successors in
   * order (the agent may send fewer to fit its message size).
   */
  getBulk(oids: readonly string[], maxRepetitions: number): Promise<Varbind[][]>
  close(): void
}

export type SnmpErrorKind =
  /** No answer within the timeout: agent down or unreachable, wrong community, wrong privacy key. */
  | 'timeout'
  /** The agent refused our credentials (SNMPv3 report) or our access (authorizationError). */
  | 'auth'
  /** The agent answered with an error status (tooBig, genErr, …). */
  | 'agent'
  /** An answer we cannot use (malformed, out of order, wrong type). */
  | 'protocol'
  /** The request could not be sent (no route, unresolvable host) or the session was closed. */
  | 'network'

export class SnmpError extends Error {
  override readonly name = 'SnmpError'
  constructor(
    readonly kind: SnmpErrorKind,
    message: string,
    /** For `agent` errors: the error-status name, e.g. `tooBig`. */
    readonly status?: string,
  ) {
    super(message)
  }
}

export function describeTarget({ host, port = 161 }: SnmpTarget): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** How long one request may take in all: every attempt waits the full timeout. */
export function requestBudgetMs({ timeoutMs = 2000, retries = 1 }: SnmpTarget): number {
  return timeoutMs * (retries + 1)
}
