import type { StoreFactory } from './store-under-test.js'
export function concurrencyContract(_factory: StoreFactory): void {}
