import type { StoreFactory } from './store-under-test.js'
export function commitContract(_factory: StoreFactory): void {}
