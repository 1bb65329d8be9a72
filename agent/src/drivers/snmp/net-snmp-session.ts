/** SNMPv3 authPriv (and, on request, SNMPv2c) over net-snmp, with its failures turned into clear SnmpErrors. */
import { isIPv6 } from 'node:net'
import netSnmp from 'net-snmp'
import { explainNetSnmpError } from './net-snmp-errors.js'
import { describeTarget, type SnmpSession, type SnmpSessionOptions } from './session.js'
import { decodeValue, type SnmpValue, Tag, type Varbind } from './varbind.js'

export function createNetSnmpSession(options: SnmpSessionOptions): SnmpSession {
  const { host, port = 161, timeoutMs = 2000, retries = 1 } = options
  const sessionOptions = {
    port,
    timeout: timeoutMs,
    retries,
    transport: isIPv6(host) ? ('udp6' as const) : ('udp4' as const),
  }
  const session =
    options.version === '3'
      ? netSnmp.createV3Session(
          host,
          {
            name: options.user,
            level: netSnmp.SecurityLevel.authPriv,
            authProtocol: netSnmp.AuthProtocols[options.authProtocol],
            authKey: options.authKey,
            privProtocol: netSnmp.PrivProtocols[options.privProtocol],
            privKey: options.privKey,
          },
          sessionOptions,
        )
      : netSnmp.createSession(host, options.community, { ...sessionOptions, version: netSnmp.Version2c })
  // Socket errors are emitted; without a listener they would be thrown out of the event loop.
  session.on('error', () => {})
  const context = {
    target: describeTarget(options),
    credentials: options,
    attempts: retries + 1,
    timeoutMs,
    answered: false,
    discovered: () => session.msgSecurityParameters !== undefined,
  }

  const call = <T>(start: (callback: (error: Error | null, result: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      start((error, result) => {
        if (error) return reject(explainNetSnmpError(error, context))
        context.answered = true
        resolve(result)
      })
    })

  return {
    get: (oids) =>
      call<netSnmp.VarBind[]>((done) => session.get([...oids], done)).then((varbinds) =>
        varbinds.map(toVarbind),
      ),
    async getBulk(oids, maxRepetitions) {
      const columns = await call<Array<netSnmp.VarBind | netSnmp.VarBind[]>>((done) =>
        session.getBulk([...oids], 0, maxRepetitions, done),
      )
      return columns.map((column) => (Array.isArray(column) ? column : [column]).map(toVarbind))
    },
    close() {
      try {
        session.close()
      } catch {
        // Already closed.
      }
    },
  }
}

function toVarbind(vb: netSnmp.VarBind): Varbind {
  return { oid: vb.oid, value: netSnmpValue(vb) }
}

/** net-snmp decodes 32-bit types to numbers (exact) and leaves Counter64 and strings as Buffers. */
export function netSnmpValue({ type, value }: Pick<netSnmp.VarBind, 'type' | 'value'>): SnmpValue {
  if (Buffer.isBuffer(value)) return decodeValue(type, value)
  switch (type) {
    case Tag.Integer:
      return { type: 'integer', value: BigInt(value as number) }
    case Tag.Counter32:
      return { type: 'counter32', value: BigInt(value as number) }
    case Tag.Gauge32:
      return { type: 'gauge32', value: BigInt(value as number) }
    case Tag.TimeTicks:
      return { type: 'timeticks', value: BigInt(value as number) }
    default:
      return decodeValue(type, new Uint8Array())
  }
}
