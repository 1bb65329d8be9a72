/**
 * Group commit: many transactions, one durable write. Callers wait for the version they
 * produced (or saw) to be written; a write in flight is followed by one more covering all
 * that arrived meanwhile, so nobody waits for more than two writes.
 *
 * A failed write poisons the commit for good: memory then holds changes the disk may never
 * get, so the owner must stop (crash-only) and restart from what is durable.
 */
export interface Batch {
  /** The highest version the batch makes durable. */
  version: number
}

export class GroupCommit<B extends Batch> {
  private version: number
  private durableVersion: number
  private running: Promise<void> | null = null
  private failure: Error | null = null
  /** When the write in flight started (performance.now()), or null while none runs. */
  private writeStartedMs: number | null = null

  /** `collect` takes what is pending consistently (under the store's lock); `write` makes it durable. */
  constructor(
    private readonly collect: () => Promise<B>,
    private readonly write: (batch: B) => Promise<void>,
    initialVersion = 0,
  ) {
    this.version = initialVersion
    this.durableVersion = initialVersion
  }

  /** Marks the in-memory document changed; returns the version that includes the change. */
  bump(): number {
    return ++this.version
  }

  get current(): number {
    return this.version
  }

  get failed(): Error | null {
    return this.failure
  }

  /** How long the write in flight has been running, in ms; 0 while none runs. */
  get writingMs(): number {
    return this.writeStartedMs === null ? 0 : performance.now() - this.writeStartedMs
  }

  /** Fails the commit from outside (a write it did not make); returns the failure it now holds. */
  poison(err: unknown): Error {
    this.failure ??= err instanceof Error ? err : new Error(String(err))
    return this.failure
  }

  /** Resolves once `version` is on disk; rejects if a write has failed. */
  async durable(version: number): Promise<void> {
    while (this.durableVersion < version) {
      if (this.failure) throw this.failure
      if (!this.running) this.running = this.flush()
      await this.running
    }
  }

  private async flush(): Promise<void> {
    try {
      const batch = await this.collect()
      this.writeStartedMs = performance.now()
      await this.write(batch)
      this.durableVersion = batch.version
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err))
      throw this.failure
    } finally {
      this.running = null
      this.writeStartedMs = null
    }
  }
}
