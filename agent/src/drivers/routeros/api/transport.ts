/** Opens the TCP or TLS socket to a router's API service (8728 / 8729) within a deadline. */
import net from 'node:net'
import tls from 'node:tls'
import { RouterOsConnectError } from './errors.js'

export interface RouterOsTlsOptions {
  /** CA certificate(s) that signed the router's certificate (default: Node's public roots). */
  ca?: string | Buffer | readonly (string | Buffer)[]
  /** Verify the router's certificate (default true). Turning it off is for lab use only. */
  rejectUnauthorized?: boolean
  /** Name to verify the certificate against when it differs from `host` (e.g. `host` is an IP). */
  servername?: string
  /**
   * api-ssl on a router without a certificate speaks only anonymous Diffie-Hellman: encrypted but
   * unauthenticated, so anyone on the path can impersonate the router. Used only when set.
   */
  allowAnonymousDh?: boolean
}

/** OpenSSL 3 puts anonymous ciphers at security level 0; they exist only up to TLS 1.2. */
export const ANONYMOUS_DH_CIPHERS =
  'ADH-AES256-GCM-SHA384:ADH-AES128-GCM-SHA256:ADH-AES256-SHA256:ADH-AES128-SHA256:ADH-AES256-SHA:ADH-AES128-SHA:@SECLEVEL=0'

export function tlsConnectOptions(
  host: string,
  port: number,
  options: RouterOsTlsOptions,
): tls.ConnectionOptions {
  const servername = options.servername ?? (net.isIP(host) ? undefined : host)
  const base: tls.ConnectionOptions = { host, port, ...(servername ? { servername } : {}) }
  if (options.allowAnonymousDh) {
    return { ...base, ciphers: ANONYMOUS_DH_CIPHERS, maxVersion: 'TLSv1.2', rejectUnauthorized: false }
  }
  return {
    ...base,
    ...(options.ca ? { ca: options.ca as tls.ConnectionOptions['ca'] } : {}),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  }
}

export interface DialOptions {
  host: string
  port: number
  tls?: RouterOsTlsOptions
  timeoutMs: number
}

/** Certificate problems need a person; everything else (refused, reset, timeout) may pass. */
function isCertificateError(error: NodeJS.ErrnoException): boolean {
  return /CERT|SIGNATURE|ISSUER|ALTNAME/.test(error.code ?? '')
}

export function dial({ host, port, tls: tlsOptions, timeoutMs }: DialOptions): Promise<net.Socket> {
  const where = `${tlsOptions ? 'api-ssl' : 'api'} ${host}:${port}`
  return new Promise((resolve, reject) => {
    const socket = tlsOptions
      ? tls.connect(tlsConnectOptions(host, port, tlsOptions))
      : net.connect({ host, port })
    // Stays for the socket's life: whatever else happens, an 'error' event never goes unheard.
    socket.on('error', () => {})
    const fail = (error: RouterOsConnectError) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    }
    const timer = setTimeout(
      () => fail(new RouterOsConnectError(`${where}: no connection within ${timeoutMs} ms`)),
      timeoutMs,
    )
    const onError = (error: NodeJS.ErrnoException) => {
      const retryable = !isCertificateError(error)
      fail(new RouterOsConnectError(`${where}: ${error.message}`, { cause: error, retryable }))
    }
    socket.once('error', onError)
    const onClose = () => fail(new RouterOsConnectError(`${where}: closed while connecting`))
    socket.once('close', onClose)
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer)
      socket.off('error', onError)
      socket.off('close', onClose)
      socket.setNoDelay(true)
      // Finds a router that vanished without a FIN or RST while no call is running.
      socket.setKeepAlive(true, 15_000)
      resolve(socket)
    })
  })
}
