/**
 * Throw-away TLS material made with openssl for end-to-end tests: a CA and a server certificate it
 * signed for `localhost` and 127.0.0.1 (what the processes under test listen on).
 */
import { createHash, X509Certificate } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from './run-command.js'

export interface TestCa {
  /** The CA certificate (PEM file) clients pin. */
  readonly caFile: string
  /** A server certificate this CA signed, and its key (PEM files). */
  readonly certFile: string
  readonly keyFile: string
}

/** Why certificates cannot be made here, or undefined when openssl is there. */
export async function opensslUnavailableReason(): Promise<string | undefined> {
  try {
    await run(['openssl', 'version'])
    return undefined
  } catch (err) {
    return `openssl is not available (${(err as Error).message})`
  }
}

/** A new CA under `dir/<name>-*` and a server certificate it signed for localhost/127.0.0.1. */
export async function makeTestCa(dir: string, name: string): Promise<TestCa> {
  const path = (file: string) => join(dir, `${name}-${file}`)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  await run([
    'openssl',
    'req',
    '-x509',
    ...ec,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=capd test CA ${name}`,
  ])
  await run([
    'openssl',
    'req',
    ...ec,
    '-keyout',
    path('key.pem'),
    '-out',
    path('server.csr'),
    '-subj',
    '/CN=localhost',
  ])
  await writeFile(path('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  await run([
    'openssl',
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    path('ext.cnf'),
    '-out',
    path('cert.pem'),
  ])
  return { caFile: path('ca.pem'), certFile: path('cert.pem'), keyFile: path('key.pem') }
}

/**
 * base64 of the SHA-256 of a certificate's public key (its SubjectPublicKeyInfo): what chromium's
 * `--ignore-certificate-errors-spki-list` takes to trust that one key and no other.
 */
export async function spkiSha256(certFile: string): Promise<string> {
  const spki = new X509Certificate(await readFile(certFile)).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('base64')
}
