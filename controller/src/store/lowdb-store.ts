/** The embedded default store: one lowdb JSON document in the data dir, written durably. */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Low } from 'lowdb'
import { checkData, type Data, emptyData } from './data.js'
import { DocumentStore } from './document-store.js'
import { DurableJSONFile } from './durable-json-file.js'
import { acquireDataDirLock } from './lock-file.js'

export const STORE_FILE = 'capd.json'

/** Opens (or creates) the store in `dataDir`; refuses to start on a corrupt file or a dir in use. */
export async function openLowdbStore(dataDir: string): Promise<DocumentStore> {
  await mkdir(dataDir, { recursive: true })
  const lock = await acquireDataDirLock(dataDir)
  try {
    const file = join(dataDir, STORE_FILE)
    const adapter = new DurableJSONFile<Data>(file)
    const db = new Low<Data>(adapter, emptyData())
    await db.read()
    const data = checkData(db.data, file)
    return new DocumentStore(
      data,
      (json) => adapter.writeText(json),
      () => lock.release(),
    )
  } catch (err) {
    await lock.release()
    throw err
  }
}
