import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readCaFile, untrustedCertificate } from './controller-tls.js'
import { TEST_CA_PEM } from './testing-ca.js'

describe('the CA an agent pins for its controller', () => {
  it('reads a PEM certificate file as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-ca-'))
    await writeFile(join(dir, 'ca.pem'), TEST_CA_PEM)
    expect(await readCaFile(join(dir, 'ca.pem'))).toBe(TEST_CA_PEM)
  })

  it('names the file when it is missing or holds no certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-agent-ca-'))
    await expect(readCaFile(join(dir, 'absent.pem'))).rejects.toThrow(
      /controllerTls\.ca: cannot read .*absent\.pem/,
    )
    const cut = TEST_CA_PEM.slice(0, 40 + Math.floor(Math.random() * (TEST_CA_PEM.length - 80)))
    for (const [name, text] of [
      ['empty.pem', ''],
      [
        'key.pem',
        '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n',
      ],
      ['cut.pem', cut],
      ['der.pem', 'MIIBhDCCASugAwIBAgIU'],
    ] as const) {
      await writeFile(join(dir, name), text)
      await expect(readCaFile(join(dir, name)), name).rejects.toThrow(
        new RegExp(`controllerTls\\.ca: .*${name.replace('.', '\\.')} is not a PEM certificate`),
      )
    }
  })
})

describe('a refused controller certificate', () => {
  const refused = (code: string) =>
    Object.assign(new Error('self-signed certificate in certificate chain'), { code })

  it('is explained, pointing at controllerTls.ca when the agent pins a CA', () => {
    expect(untrustedCertificate(refused('SELF_SIGNED_CERT_IN_CHAIN'), true)).toMatch(
      /certificate was refused \(SELF_SIGNED_CERT_IN_CHAIN: .*not signed by the CA in controllerTls\.ca/,
    )
    expect(untrustedCertificate(refused('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), false)).toMatch(
      /not signed by a CA this system trusts \(set controllerTls\.ca/,
    )
    expect(untrustedCertificate(refused('ERR_TLS_CERT_ALTNAME_INVALID'), true)).toMatch(
      /does not name the host/,
    )
  })

  it('leaves other connection errors alone', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '']) {
      expect(untrustedCertificate(refused(code), true)).toBeUndefined()
    }
    expect(untrustedCertificate(new Error('socket hang up'), true)).toBeUndefined()
  })
})
