/**
 * Group commit: many transactions, one durable write. Callers wait for the version they
 * produced (or saw) to be written; a write in flight is followed by one more covering all
 * that arrived meanwhile, so nobody waits for more than two writes.
 *
 * A failed write poisons the commit for good: memory then holds changes the disk may never
 * get, so the owner must stop (crash-only) and restart from the last durable document.
 */
export interface Snapshot {
  json: string
  version: number
}

export class GroupCommit {
  private version = 0
  private durableVersion = 0
  private running: Promise<void> | null = null
  private failure: Error | null = null

  /** `snapshot` must capture a consistent document (under the store's lock); `write` makes it durable. */
  constructor(
    private readonly snapshot: () => Promise<Snapshot>,
    private readonly write: (json: string) => Promise<void>,
  ) {}

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
      const { json, version } = await this.snapshot()
      await this.write(json)
      this.durableVersion = version
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err))
      throw this.failure
    } finally {
      this.running = null
    }
  }
}
