import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { getPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
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

  it("runs a background call at a lower CPU priority, and the others at the agent's own", async () => {
    // The niceness field of the stand-in's own /proc stat, read once the runner has had time to set it.
    const niceness = ['-c', "sleep 0.1; cut -d ' ' -f 19 /proc/$$/stat"]
    const own = String(getPriority())
    const read = async (background: boolean) =>
      Buffer.concat(await sh.chunks(niceness, { background }))
        .toString()
        .trim()
    expect(await read(false)).toBe(own)
    expect(await read(true)).toBe(String(Math.min(19, Number(own) + 10)))
  })

  it('hands over the output piece by piece while the call runs, when asked to', async () => {
    const seen: { text: string; atMs: number }[] = []
    const started = performance.now()
    const kept = await sh.chunks(['-c', 'echo one; sleep 0.15; echo two'], {
      onChunk: (chunk) => seen.push({ text: chunk.toString(), atMs: performance.now() - started }),
    })
    const endedMs = performance.now() - started
    expect(kept).toEqual([])
    expect(seen.map((s) => s.text).join('')).toBe('one\ntwo\n')
    // The first piece came before the process had written the second.
    expect(endedMs - seen[0]!.atMs).toBeGreaterThan(100)
    // A failure still rejects, after the pieces it wrote.
    const pieces: string[] = []
    const error = await sh
      .chunks(['-c', 'echo partial; echo "Error: gone" >&2; exit 1'], {
        onChunk: (c) => pieces.push(String(c)),
      })
      .catch((e) => e)
    expect(error).toBeInstanceOf(NftError)
    expect(pieces.join('')).toBe('partial\n')
  })

  it('says so when the binary is missing', async () => {
    const missing = createNftRunner({ nftPath: '/nonexistent/nft' })
    await expect(missing(['list', 'ruleset'])).rejects.toThrow(/cannot run \/nonexistent\/nft/)
  })

  describe('a batch (-f -) goes to a process started before it was asked for', () => {
    /**
     * A stand-in nft: says when it started and its pid, then echoes its script; a script "fail"
     * exits 1 with a message on stderr, "hang" outlives any timeout here.
     */
    const fakeNft = () => {
      const path = join(mkdtempSync(join(tmpdir(), 'capd-nft-')), 'nft')
      writeFileSync(
        path,
        [
          '#!/bin/sh',
          'started=$(date +%s%3N)',
          'script=$(cat)',
          'case "$script" in fail) echo "Error: refused" >&2; exit 1;; hang) sleep 5;; esac',
          'echo "$started $$ $*: $script"',
          '',
        ].join('\n'),
      )
      chmodSync(path, 0o755)
      return path
    }
    /** Our child processes running this stand-in: pids. */
    const running = (path: string) =>
      execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(path))
        .map((line) => Number(line.trim().split(' ')[0]))
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }

    it('runs every batch in order, each in a process started before the call, and ends the waiting one on close', async () => {
      const path = fakeNft()
      const nft = createNftRunner({ nftPath: path, timeoutMs: 2000 })
      const first = await nft(['-f', '-'], 'one')
      expect(first).toMatch(/^\d+ \d+ -f -: one\n$/)
      const pids = new Set([first.split(' ')[1]])
      for (let i = 0; i < 5; i++) {
        // The process waiting for the next batch, started once the last call was answered.
        let waiting: number[] = []
        for (let tries = 0; waiting.length === 0 && tries < 200; tries++) {
          await new Promise((r) => setTimeout(r, 10))
          waiting = running(path)
        }
        expect(waiting.length, `batch ${i}: one process waiting`).toBe(1)
        const [, pid, ...rest] = (await nft(['-f', '-'], `batch ${i}`)).split(' ')
        expect(rest.join(' ')).toBe(`-f -: batch ${i}\n`)
        expect(Number(pid), `batch ${i} ran in the process that was waiting`).toBe(waiting[0])
        expect(pids.has(pid!), 'each batch in a process of its own').toBe(false)
        pids.add(pid!)
      }
      // Other calls start their own process, as ever.
      expect(await nft(['list', 'tables'])).toMatch(/ list tables: \n$/)
      const error = await nft(['-f', '-'], 'fail').catch((e) => e)
      expect(error).toBeInstanceOf(NftError)
      expect(error.message).toMatch(/failed \(exit 1\): Error: refused/)
      expect(await nft(['-f', '-'], 'after')).toMatch(/-f -: after\n$/)
      const slow = createNftRunner({ nftPath: fakeNft(), timeoutMs: 300 })
      const timedOut = await slow(['-f', '-'], 'hang').catch((e) => e)
      expect(timedOut.message).toMatch(/timed out after 300 ms/)
      slow.close()
      expect(running(path).length, 'one batch process waiting').toBe(1)
      nft.close()
      await new Promise((r) => setTimeout(r, 100))
      expect(running(path), 'none left waiting after close').toEqual([])
    })

    it('starts a new one when the waiting process died, and says so when nft cannot run at all', async () => {
      const path = fakeNft()
      const nft = createNftRunner({ nftPath: path, timeoutMs: 2000 })
      await nft(['-f', '-'], 'one')
      // The next batch's process is started once the call is answered.
      await new Promise((r) => setTimeout(r, 100))
      const waiting = running(path)
      expect(waiting.length).toBe(1)
      process.kill(waiting[0]!, 'SIGKILL')
      await new Promise((r) => setTimeout(r, 50))
      expect(alive(waiting[0]!)).toBe(false)
      expect(await nft(['-f', '-'], 'two')).toMatch(/-f -: two\n$/)
      nft.close()
      const missing = createNftRunner({ nftPath: '/nonexistent/nft' })
      for (let i = 0; i < 2; i++) {
        await expect(missing(['-f', '-'], 'x')).rejects.toThrow(/cannot run \/nonexistent\/nft/)
      }
      missing.close()
    })
  })
})
