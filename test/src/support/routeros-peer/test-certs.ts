/** Throwaway CAs and a router certificate for TLS tests, made with the openssl CLI (node:crypto cannot issue X.509). */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCerts {
  /** The CA that signed the router's certificate. */
  ca: string
  /** A CA that did not. */
  otherCa: string
  /** The router's key and certificate (SAN: IP 127.0.0.1, DNS localhost). */
  key: string
  cert: string
}

/** Why TLS tests cannot run here, or undefined when they can. */
export function opensslUnavailableReason(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return undefined
  } catch {
    return 'the openssl CLI is not installed'
  }
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'capd-routeros-tls-'))
  const file = (name: string) => join(dir, name)
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  try {
    for (const ca of ['ca', 'other-ca']) {
      openssl(
        'req',
        '-x509',
        ...ecKey,
        '-keyout',
        file(`${ca}.key`),
        '-out',
        file(`${ca}.pem`),
        '-days',
        '2',
        '-subj',
        `/CN=capd test ${ca}`,
      )
    }
    openssl('req', ...ecKey, '-keyout', file('router.key'), '-out', file('router.csr'), '-subj', '/CN=router')
    writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
    openssl(
      'x509',
      '-req',
      '-in',
      file('router.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      file('ext.cnf'),
      '-out',
      file('router.pem'),
    )
    const read = (name: string) => readFileSync(file(name), 'utf8')
    return {
      ca: read('ca.pem'),
      otherCa: read('other-ca.pem'),
      key: read('router.key'),
      cert: read('router.pem'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
