/** The parts of `snmp-native` and `net-snmp` (plain JavaScript, no published types) that the SNMP counter source uses. */

declare module 'snmp-native' {
  import type { EventEmitter } from 'node:events'

  namespace snmpNative {
    interface VarBind {
      oid: number[]
      type: number
      value: unknown
      /** The value's BER content octets, undecoded (Counter64 is exact only here). */
      valueRaw: Buffer
      valueHex: string
    }
    interface RequestVarBind {
      oid: number[]
      type: number
      value: null
    }
    class Packet {
      version: number
      community: string
      pdu: {
        /** 0 get, 1 getNext, 5 getBulk (the tag is 0xA0 + type). */
        type: number
        reqid: number
        /** non-repeaters in a GetBulk request */
        error: number
        /** max-repetitions in a GetBulk request */
        errorIndex: number
        varbinds: RequestVarBind[]
      }
    }
    interface SessionOptions {
      host?: string
      port?: number
      community?: string
      family?: 'udp4' | 'udp6'
      /** One entry per attempt, in ms; the request fails with `Timeout` after the last. */
      timeouts?: number[]
    }
    class Session extends EventEmitter {
      constructor(options?: SessionOptions)
      sendMsg(
        packet: Packet,
        options: SessionOptions,
        callback: (error: Error | null, varbinds?: VarBind[]) => void,
      ): void
      close(): void
    }
    /** Decodes one SNMPv1/v2c message. */
    function parse(message: Buffer): { pdu: { type: number; varbinds: VarBind[] } }
  }
  export = snmpNative
}

declare module 'net-snmp' {
  namespace netSnmp {
    interface VarBind {
      oid: string
      type: number
      value: unknown
    }
    interface User {
      name: string
      level: number
      authProtocol?: number
      authKey?: string
      privProtocol?: number
      privKey?: string
    }
    interface SessionOptions {
      port?: number
      version?: number
      timeout?: number
      retries?: number
      transport?: 'udp4' | 'udp6'
      backoff?: number
    }
    type ResponseCallback<T> = (error: Error | null, result: T) => void
    interface Session {
      /** Set once SNMPv3 discovery has been answered (engine id, boots, time). */
      msgSecurityParameters?: unknown
      get(oids: string[], callback: ResponseCallback<VarBind[]>): Session
      getBulk(
        oids: string[],
        nonRepeaters: number,
        maxRepetitions: number,
        callback: ResponseCallback<Array<VarBind | VarBind[]>>,
      ): Session
      close(): Session
      on(event: 'error', listener: (error: Error) => void): Session
    }
    const Version2c: number
    const Version3: number
    const SecurityLevel: { readonly authPriv: number }
    const AuthProtocols: Readonly<Record<string, number>>
    const PrivProtocols: Readonly<Record<string, number>>
    const ResponseInvalidCode: Readonly<Record<string, number>>
    function createSession(target: string, community: string, options: SessionOptions): Session
    function createV3Session(target: string, user: User, options: SessionOptions): Session
  }
  export = netSnmp
}
