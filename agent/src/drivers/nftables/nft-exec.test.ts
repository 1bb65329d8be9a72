import { describe, expect, it } from 'vitest'
import { createNftRunner, NftError } from './nft-exec.js'

// `sh` stands in for nft: the runner only cares about exit code, stdout, stderr and time.
const sh = createNftRunner({ nftPath: 'sh', timeoutMs: 300 })

describe('createNftRunner', () => {
  it('feeds stdin and returns stdout', async () => {
    await expect(sh(['-c', 'cat'], 'add table inet capd\n')).resolves.toBe('add table inet capd\n')
  })

  it("fails with nft's stderr in the message", async () => {
    const error = await sh(['-c', 'echo "Error: No such file or directory" >&2; exit 1']).catch((e) => e)
    expect(error).toBeInstanceOf(NftError)
    expect(error.message).toMatch(/exit 1\): Error: No such file or directory/)
    expect(error.isMissing).toBe(true)
  })

  it('kills a call that outlives its timeout', async () => {
    const error = await sh(['-c', 'sleep 5']).catch((e) => e)
    expect(error.message).toMatch(/timed out after 300 ms/)
    expect(error.isMissing).toBe(false)
  })

  it('says so when the binary is missing', async () => {
    const missing = createNftRunner({ nftPath: '/nonexistent/nft' })
    await expect(missing(['list', 'ruleset'])).rejects.toThrow(/cannot run \/nonexistent\/nft/)
  })
})
