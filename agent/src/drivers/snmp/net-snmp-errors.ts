/**
 * Turns net-snmp's errors into SnmpErrors that say what to fix. A wrong SNMPv3 auth key comes back
 * at once as a usmStatsWrongDigests report; a wrong privacy key does not: net-snmp's snmpd (5.9)
 * cannot parse what it decrypted, counts a parse error and stays silent, so it shows only as a
 * timeout after the agent had answered discovery.
 */

import type { SnmpCredentials } from './session.js'
import { SnmpError } from './session.js'

export interface NetSnmpErrorContext {
  target: string
  credentials: SnmpCredentials
  attempts: number
  timeoutMs: number
  /** Some request of this session was answered. */
  answered: boolean
  /** The agent answered SNMPv3 discovery (engine id known). */
  discovered: () => boolean
}

/** net-snmp's ResponseInvalidCode.EAuthFailure / ECouldNotDecrypt. */
const E_AUTH_FAILURE = 5
const E_COULD_NOT_DECRYPT = 4

export function explainNetSnmpError(error: Error, context: NetSnmpErrorContext): SnmpError {
  const { target, credentials } = context
  const who = credentials.version === '3' ? `user ${credentials.user} at ${target}` : `agent ${target}`
  const code = (error as { code?: unknown }).code
  switch (error.name) {
    case 'RequestTimedOutError':
      return timeout(context)
    case 'ResponseInvalidError':
      if (code === E_AUTH_FAILURE) return new SnmpError('auth', usmReport(error.message, who, credentials))
      if (code === E_COULD_NOT_DECRYPT) {
        return new SnmpError(
          'auth',
          `SNMPv3 answer for ${who} could not be decrypted: wrong privKey or privProtocol?`,
        )
      }
      return new SnmpError('protocol', `unusable SNMP answer from ${target}: ${error.message}`)
    case 'RequestFailedError': {
      const status = error.message.split(':')[0]!
      const lower = status.charAt(0).toLowerCase() + status.slice(1)
      if (status === 'AuthorizationError') {
        return new SnmpError(
          'auth',
          `SNMP agent ${target} denies ${who} read access (authorizationError): check its access ` +
            `control, e.g. \`rouser ${credentials.version === '3' ? credentials.user : '…'} priv\` in snmpd.conf`,
          lower,
        )
      }
      return new SnmpError('agent', `SNMP agent ${target} answered ${lower} (${error.message})`, lower)
    }
    default:
      return new SnmpError('network', `SNMP request to ${target} failed: ${error.message}`)
  }
}

function usmReport(report: string, who: string, credentials: SnmpCredentials): string {
  const protocols =
    credentials.version === '3' ? ` (${credentials.authProtocol}/${credentials.privProtocol})` : ''
  if (report.startsWith('Wrong Digest')) {
    return `SNMPv3 authentication failed for ${who}: wrong authKey or authProtocol${protocols}? (usmStatsWrongDigests)`
  }
  if (report.startsWith('Unknown User Name')) {
    return `SNMPv3 ${who} is unknown to the agent (usmStatsUnknownUserNames)`
  }
  if (report.startsWith('Unsupported Security Level')) {
    return `SNMPv3 ${who} cannot use authPriv: is the user created with a privacy protocol? (usmStatsUnsupportedSecLevels)`
  }
  if (report.startsWith('Decryption Error')) {
    return `SNMPv3 agent could not decrypt the request of ${who}: wrong privKey or privProtocol${protocols}? (usmStatsDecryptionErrors)`
  }
  if (report.startsWith('Authentication digest')) {
    return `SNMPv3 answer for ${who} failed authentication: wrong authKey or authProtocol${protocols}?`
  }
  return `SNMPv3 agent refused ${who}: ${report}`
}

function timeout(context: NetSnmpErrorContext): SnmpError {
  const { target, credentials, attempts, timeoutMs } = context
  const waited = `within ${attempts} attempt(s) of ${timeoutMs} ms`
  if (credentials.version === '2c') {
    return new SnmpError(
      'timeout',
      `SNMPv2c agent ${target} did not answer ${waited}: wrong community, or the agent is down or unreachable`,
    )
  }
  if (!context.discovered()) {
    return new SnmpError(
      'timeout',
      `SNMPv3 agent ${target} did not answer discovery ${waited}: the agent is down or unreachable`,
    )
  }
  if (!context.answered) {
    return new SnmpError(
      'timeout',
      `SNMPv3 agent ${target} answered discovery but not the encrypted request of user ${credentials.user} ` +
        `${waited}: wrong privKey or privProtocol (${credentials.privProtocol})? ` +
        'An agent that cannot decrypt a request drops it silently',
    )
  }
  return new SnmpError('timeout', `SNMPv3 agent ${target} did not answer ${waited}`)
}
