import type { StoreFactory } from './store-under-test.js'
export function transactionsContract(_factory: StoreFactory): void {}
