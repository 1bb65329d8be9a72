import type { StoreFactory } from './store-under-test.js'
export function modelContract(_factory: StoreFactory): void {}
