/** The controller's own certificate and key (`--tls-cert`, `--tls-key`): read and checked to belong together before they are served. */
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import type { TlsFiles } from './server.js'

/** Throws naming the option and the path of whichever file is unreadable, or both when they do not make a pair. */
export async function readTlsFiles(certPath: string, keyPath: string): Promise<TlsFiles> {
  const cert = await readOption('--tls-cert', certPath)
  const key = await readOption('--tls-key', keyPath)
  try {
    // Fails on text that is no PEM certificate or key, and on a key that is not the certificate's.
    createSecureContext({ cert, key })
  } catch (err) {
    throw new Error(
      `--tls-cert ${certPath} and --tls-key ${keyPath} are not a PEM certificate and its private key: ${(err as Error).message}`,
    )
  }
  return { cert, key }
}

async function readOption(option: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new Error(`${option}: cannot read ${path}: ${(err as Error).message}`)
  }
}
