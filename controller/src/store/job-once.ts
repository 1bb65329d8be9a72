/** Periodic jobs (roll-over, retention, the outbox, order checks) run by one controller at a time. */
import type { Store } from './store.js'

/**
 * Runs `job` unless another controller on the same store is running the job of this name now
 * (then resolves undefined at once: that one does the work, and this one's next turn comes).
 */
export async function runJobOnce<T>(
  store: Store,
  name: string,
  job: () => Promise<T>,
): Promise<T | undefined> {
  if (!store.tryJobLock) return job()
  const release = await store.tryJobLock(name)
  if (!release) return undefined
  try {
    return await job()
  } finally {
    await release()
  }
}
