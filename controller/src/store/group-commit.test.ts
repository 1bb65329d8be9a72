/** Group commit's report of the write in flight: how long it has run, and nothing once it ends. */
import { describe, expect, it } from 'vitest'
import { type Batch, GroupCommit } from './group-commit.js'

describe('GroupCommit.writingMs', () => {
  it('grows while a write hangs and is 0 once it ends, succeeded or failed', async () => {
    let finishWrite: (err?: Error) => void = () => {}
    const commit: GroupCommit<Batch> = new GroupCommit(
      async (): Promise<Batch> => ({ version: commit.current }),
      () =>
        new Promise<void>((resolve, reject) => {
          finishWrite = (err) => (err ? reject(err) : resolve())
        }),
    )
    expect(commit.writingMs).toBe(0)
    const first = commit.durable(commit.bump())
    await new Promise((resolve) => setTimeout(resolve, 20))
    const early = commit.writingMs
    expect(early).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(commit.writingMs).toBeGreaterThan(early)
    finishWrite()
    await first
    expect(commit.writingMs).toBe(0)

    const second = commit.durable(commit.bump())
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(commit.writingMs).toBeGreaterThan(0)
    finishWrite(new Error('EIO'))
    await expect(second).rejects.toThrow('EIO')
    expect(commit.writingMs).toBe(0)
  })
})
