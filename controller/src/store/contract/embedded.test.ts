/** The store contract on the embedded store: lowdb snapshot and write-ahead log in a temp data dir. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { openLowdbStore } from '../lowdb-store.js'
import type { Store } from '../store.js'
import { describeStoreContract } from './store-contract.js'

describeStoreContract('embedded (lowdb)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capd-contract-'))
  const open: Store[] = []
  return {
    shared: false,
    async open() {
      // Opening a store that was closed cleanly has nothing to say.
      const store = await openLowdbStore(dir, (line) => expect.fail(`unexpected store message: ${line}`))
      open.push(store)
      return store
    },
    async destroy() {
      for (const store of open.splice(0)) await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})
