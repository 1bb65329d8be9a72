/** Which configured RADIUS client (NAS or forwarding server) a datagram came from: the longest prefix holding its source address. */
import { isIP } from 'node:net'
import { addressValue, type IpPrefix, parseIpPrefix, prefixRange } from '@capd/protocol'

export interface RadiusClient {
  /** An address or prefix: `192.0.2.7`, `10.20.0.0/16`. */
  address: string
  secret: string
  name?: string
}

export interface ClientMatcher {
  find(sourceAddress: string): RadiusClient | undefined
}

export function clientMatcher(clients: readonly RadiusClient[]): ClientMatcher {
  const entries = clients
    .map((client) => {
      const prefix: IpPrefix = parseIpPrefix(client.address)
      return { client, prefix, range: prefixRange(prefix) }
    })
    .sort((a, b) => b.prefix.prefixLength - a.prefix.prefixLength)
  return {
    find(sourceAddress) {
      // A v4 source on a dual-stack socket arrives as ::ffff:a.b.c.d.
      const plain = sourceAddress.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1')
      const family = isIP(plain)
      if (family !== 4 && family !== 6) return undefined
      const value = addressValue(plain, family)
      return entries.find(
        ({ prefix, range }) => prefix.family === family && value >= range.start && value <= range.end,
      )?.client
    },
  }
}
