/** The store contract on the PostgreSQL store: a throw-away database per test, shared by the stores opened on it. */

import { createTestDatabase } from '../../testing/pg-database.js'
import { openPgStore } from '../postgres/open-pg-store.js'
import { pgSkipReason } from '../postgres/pg-test-kit.js'
import type { Store } from '../store.js'
import { describeStoreContract } from './store-contract.js'

const skip = await pgSkipReason()

if (skip === undefined) {
  describeStoreContract('PostgreSQL', async () => {
    const db = await createTestDatabase()
    const open: Store[] = []
    return {
      shared: true,
      async open() {
        const store = await openPgStore({ url: db.url, max: 4 })
        open.push(store)
        return store
      },
      async destroy() {
        for (const store of open.splice(0)) await store.close()
        await db.drop()
      },
    }
  })
}
