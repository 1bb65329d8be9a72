/** A `HOST:PORT` to listen on (`127.0.0.1:9469`, `[::1]:9469`, `0.0.0.0:9469`), as the controller's and the agent's metrics options take it. */
import { isIP } from 'node:net'
import { z } from 'zod'

export interface ListenAddress {
  host: string
  port: number
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

/** Throws a RangeError saying what is wrong; port 0 picks a free one. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text)
  if (!match) throw new RangeError(`"${text}" is not HOST:PORT (an IPv6 host in brackets: [::1]:9469)`)
  const host = match[1] ?? match[2]!
  const port = Number(match[3])
  if (port > 65535) throw new RangeError(`port ${port} is not from 0 to 65535`)
  if (match[1] !== undefined ? isIP(host) !== 6 : isIP(host) !== 4 && !HOSTNAME.test(host)) {
    throw new RangeError(`"${host}" is not an IP address or host name`)
  }
  return { host, port }
}

/** The same as a zod schema, for config files and command lines. */
export const ListenAddress = z.string().transform((text, ctx) => {
  try {
    return parseListenAddress(text)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message })
    return z.NEVER
  }
})
