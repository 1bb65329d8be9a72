/**
 * The store contract: what every Store implementation must do, checked only through the Store
 * interface, so the embedded and the PostgreSQL stores cannot drift apart. Each implementation's
 * test calls describeStoreContract with a factory for its backing data.
 */
import { describe } from 'vitest'
import { commitContract } from './commit-contract.js'
import { concurrencyContract } from './concurrency-contract.js'
import { findersContract } from './finders-contract.js'
import { loginSubscriberContract } from './login-subscriber-contract.js'
import { modelContract } from './model-contract.js'
import { queriesContract } from './queries-contract.js'
import type { StoreFactory } from './store-under-test.js'
import { tablesContract } from './tables-contract.js'
import { transactionsContract } from './transactions-contract.js'

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    tablesContract(factory)
    findersContract(factory)
    loginSubscriberContract(factory)
    queriesContract(factory)
    transactionsContract(factory)
    commitContract(factory)
    concurrencyContract(factory)
    modelContract(factory)
  })
}
