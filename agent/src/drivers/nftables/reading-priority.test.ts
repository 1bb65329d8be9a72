/**
 * A poll's reading lists the table at a lower CPU priority than the agent; a listing to apply from
 * does not (nft-exec.ts, ChunksOptions.background). A stand-in nft logs its niceness and args, and
 * says the table is missing, which both calls take in their stride.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { getPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createNftablesDriver } from './nftables-driver.js'

function standIn() {
  const dir = mkdtempSync(join(tmpdir(), 'capd-nft-nice-'))
  const log = join(dir, 'calls')
  const nftPath = join(dir, 'nft')
  writeFileSync(
    nftPath,
    [
      '#!/bin/sh',
      // Read once the agent has had time to set it; a batch's script is read and taken.
      'sleep 0.1',
      `echo "$(cut -d ' ' -f 19 /proc/$$/stat) $*" >> ${log}`,
      'case "$*" in *list*) echo "Error: No such file or directory" >&2; exit 1;; *) cat > /dev/null;; esac',
      '',
    ].join('\n'),
  )
  chmodSync(nftPath, 0o755)
  const bootIdPath = join(dir, 'boot_id')
  writeFileSync(bootIdPath, 'boot-1\n')
  const listings = () =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter((line) => line.includes(' list '))
      .map((line) => Number(line.split(' ')[0]))
  return { driver: createNftablesDriver({ nftPath, bootIdPath, timeoutMs: 5_000 }), listings }
}

describe('the nftables driver', () => {
  it("lists for a poll's reading 10 nicer than the agent, and for an apply at the agent's own", async () => {
    const own = getPriority()
    const { driver, listings } = standIn()
    await driver.readCounters()
    expect(listings()).toEqual([Math.min(19, own + 10)])
    // It creates the table and lists it again, to find it missing still: it fails, having listed.
    await expect(driver.start()).rejects.toThrow(/vanished/)
    expect(listings().slice(1)).not.toHaveLength(0)
    for (const nice of listings().slice(1)) expect(nice).toBe(own)
  })
})
