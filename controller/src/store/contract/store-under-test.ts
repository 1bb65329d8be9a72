/** What the store contract suite is given for each store implementation it checks. */
import type { Store } from '../store.js'

export interface StoreUnderTest {
  /**
   * Opens a Store on this test's backing data (a data dir, a database). Called again after the
   * previous Store was closed, it must see everything that one committed.
   */
  open(): Promise<Store>
  /** Whether two Stores may be open on the same data at once (several controllers, one database). */
  readonly shared: boolean
  /** Removes the backing data; every Store opened on it is closed first. */
  destroy(): Promise<void>
}

/** Makes fresh, empty backing data for one test. */
export type StoreFactory = () => Promise<StoreUnderTest>
