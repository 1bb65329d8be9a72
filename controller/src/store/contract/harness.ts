/** Opens the store under test for one test, reopens it, and always closes and removes it afterwards. */
import { afterEach } from 'vitest'
import type { Store, Tx } from '../store.js'
import type { StoreFactory, StoreUnderTest } from './store-under-test.js'

export interface Harness {
  /** A fresh store on fresh backing data. */
  open(): Promise<Store>
  /** Closes the current store and opens another on the same data. */
  reopen(): Promise<Store>
  /** Another store open on the same data at the same time (shared stores only). */
  openAnother(): Promise<Store>
  readonly shared: boolean
}

/** Call inside a describe block: every test gets its own backing data, destroyed after it. */
export function useHarness(factory: StoreFactory): Harness {
  let sut: StoreUnderTest | undefined
  const stores: Store[] = []
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close()
    await sut?.destroy()
    sut = undefined
  })
  const track = (store: Store) => {
    stores.push(store)
    return store
  }
  return {
    async open() {
      sut = await factory()
      return track(await sut.open())
    },
    async reopen() {
      if (!sut) throw new Error('open() first')
      for (const store of stores.splice(0)) await store.close()
      return track(await sut.open())
    },
    async openAnother() {
      if (!sut) throw new Error('open() first')
      return track(await sut.open())
    },
    get shared() {
      return sut?.shared ?? false
    },
  }
}

/** Runs `fn` in a transaction that then throws, so nothing it did may be kept. */
export async function rolledBack(store: Store, fn: (tx: Tx) => Promise<unknown>): Promise<void> {
  const marker = new Error('rolled back on purpose')
  let thrown: unknown
  try {
    await store.transact(async (tx) => {
      await fn(tx)
      throw marker
    })
  } catch (err) {
    thrown = err
  }
  if (thrown !== marker)
    throw new Error(`expected the transaction to end with its own error, got ${String(thrown)}`)
}

/** Lets other promises run in the middle of a transaction, as a network round trip would. */
export const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

export const ids = <T extends { id: string }>(rows: readonly T[]) => rows.map((r) => r.id)
