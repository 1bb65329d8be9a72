import { describe, expect, it } from 'vitest'
import { explainNetSnmpError, type NetSnmpErrorContext } from './net-snmp-errors.js'

/** net-snmp's errors as it builds them: a name and, for invalid responses, a numeric code. */
const netSnmpError = (name: string, message: string, code?: number) =>
  Object.assign(new Error(message), { name }, code === undefined ? {} : { code })

const v3: NetSnmpErrorContext = {
  target: '10.0.0.1:161',
  credentials: {
    version: '3',
    user: 'capd',
    authProtocol: 'sha',
    authKey: 'secret-1',
    privProtocol: 'aes',
    privKey: 'secret-2',
  },
  attempts: 2,
  timeoutMs: 500,
  answered: false,
  discovered: () => true,
}

describe('explainNetSnmpError', () => {
  it('names a wrong auth key from the usmStatsWrongDigests report', () => {
    const error = explainNetSnmpError(
      netSnmpError('ResponseInvalidError', 'Wrong Digest (incorrect password, community or key)', 5),
      v3,
    )
    expect(error.kind).toBe('auth')
    expect(error.message).toBe(
      'SNMPv3 authentication failed for user capd at 10.0.0.1:161: wrong authKey or authProtocol (sha/aes)? (usmStatsWrongDigests)',
    )
  })

  it('names an unknown user and a user without privacy', () => {
    expect(
      explainNetSnmpError(netSnmpError('ResponseInvalidError', 'Unknown User Name', 5), v3).message,
    ).toMatch(/user capd at 10\.0\.0\.1:161 is unknown to the agent/)
    expect(
      explainNetSnmpError(netSnmpError('ResponseInvalidError', 'Unsupported Security Level', 5), v3).message,
    ).toMatch(/cannot use authPriv/)
  })

  it('suspects the privacy key when discovery was answered but the encrypted request was not', () => {
    const error = explainNetSnmpError(netSnmpError('RequestTimedOutError', 'Request timed out'), v3)
    expect(error.kind).toBe('timeout')
    expect(error.message).toMatch(
      /answered discovery but not the encrypted request of user capd within 2 attempt\(s\) of 500 ms: wrong privKey/,
    )
  })

  it('does not blame the key for a timeout after earlier answers, nor without discovery', () => {
    expect(
      explainNetSnmpError(netSnmpError('RequestTimedOutError', 'x'), { ...v3, answered: true }).message,
    ).not.toMatch(/privKey/)
    expect(
      explainNetSnmpError(netSnmpError('RequestTimedOutError', 'x'), { ...v3, discovered: () => false })
        .message,
    ).toMatch(/did not answer discovery/)
  })

  it('suspects the community for an SNMPv2c timeout', () => {
    const error = explainNetSnmpError(netSnmpError('RequestTimedOutError', 'Request timed out'), {
      ...v3,
      credentials: { version: '2c', community: 'public' },
    })
    expect(error.message).toMatch(/^SNMPv2c agent 10\.0\.0\.1:161 did not answer .*wrong community/)
  })

  it('classifies error statuses', () => {
    const denied = explainNetSnmpError(netSnmpError('RequestFailedError', 'AuthorizationError'), v3)
    expect([denied.kind, denied.status]).toEqual(['auth', 'authorizationError'])
    const big = explainNetSnmpError(netSnmpError('RequestFailedError', 'TooBig'), v3)
    expect([big.kind, big.status]).toEqual(['agent', 'tooBig'])
  })
})
