/**
 * TLS towards the controller: the CA file an agent pins (`controllerTls.ca`), read and checked at
 * start, and plain words for the certificate errors a wss:// connection fails with.
 */
import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'

/** The PEM text of `path`; throws naming the file when it cannot be read or holds no certificate. */
export async function readCaFile(path: string): Promise<string> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new Error(`bad agent config: controllerTls.ca: cannot read ${path}: ${(err as Error).message}`)
  }
  try {
    new X509Certificate(text)
  } catch (err) {
    throw new Error(
      `bad agent config: controllerTls.ca: ${path} is not a PEM certificate (-----BEGIN CERTIFICATE-----): ${(err as Error).message}`,
    )
  }
  return text
}

/** Error codes of Node's TLS layer that mean "this certificate is not one to trust". */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * What to tell the operator when the controller's certificate was refused; undefined for any other
 * error. `pinned` says whether the agent trusts only its `controllerTls.ca`.
 */
export function untrustedCertificate(err: Error & { code?: string }, pinned: boolean): string | undefined {
  if (!err.code || !UNTRUSTED.has(err.code)) return undefined
  const trust = pinned
    ? 'it is not signed by the CA in controllerTls.ca'
    : 'it is not signed by a CA this system trusts (set controllerTls.ca to pin a private CA)'
  return (
    `the controller's TLS certificate was refused (${err.code}: ${err.message}): ${trust}, or it does ` +
    'not name the host in its URL. Not sending the token; retrying.'
  )
}
