/**
 * Cost of keeping subscriber addresses free of overlaps at 100k subscribers on one agent: the
 * controller's per-agent index against a scan of the agent's subscribers (the check without it), and
 * the agent's first-come selection over a whole rule set against just sorting the same prefixes.
 * Ratios come from the same run. Standalone: `pnpm tsx bench/address-check.ts`.
 */
import { type IpPrefix, parseIpPrefix, prefixRange } from '@capd/protocol'
import { keepFirst } from '../agent/src/drivers/overlap.js'
import { AddressIndex } from '../controller/src/store/address-index.js'

const SUBSCRIBERS = 100_000
const CHECKS = 2_000
const SCANS = 50

const v4 = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
const ms = (from: number) => performance.now() - from

export function addressCheck(): void {
  const rows = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
    id: `sub_${i.toString().padStart(6, '0')}`,
    agentId: 'agt_1',
    address: i % 10 === 0 ? `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64` : v4(i),
  }))
  let started = performance.now()
  const index = new AddressIndex<(typeof rows)[number]>()
  for (const row of rows) index.add(row)
  const buildMs = ms(started)

  const probes: IpPrefix[] = Array.from({ length: CHECKS }, (_, i) =>
    parseIpPrefix(i % 2 ? v4(SUBSCRIBERS + i) : v4(Math.floor(Math.random() * SUBSCRIBERS))),
  )
  started = performance.now()
  let hits = 0
  for (const probe of probes) if (index.overlapping('agt_1', probe)) hits++
  const indexUs = (ms(started) * 1000) / CHECKS

  // Baseline: the same check as a scan over ranges parsed ahead (cheaper than any real scan).
  const ranges = rows.map((row) => {
    const prefix = parseIpPrefix(row.address)
    return { family: prefix.family, ...prefixRange(prefix) }
  })
  started = performance.now()
  for (const probe of probes.slice(0, SCANS)) {
    const { start, end } = prefixRange(probe)
    ranges.find((r) => r.family === probe.family && r.start <= end && start <= r.end)
  }
  const scanUs = (ms(started) * 1000) / SCANS

  const owned = rows.map((row) => ({ subscriberId: row.id, prefix: parseIpPrefix(row.address) }))
  started = performance.now()
  const { kept } = keepFirst(owned)
  const keepMs = ms(started)
  started = performance.now()
  owned
    .map((item) => prefixRange(item.prefix))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
  const sortMs = ms(started)

  console.log(
    `\naddress overlap checks, ${SUBSCRIBERS} subscribers on one agent (${hits}/${CHECKS} probes taken)`,
  )
  console.log(`  controller index: build ${buildMs.toFixed(0)} ms; one check ${indexUs.toFixed(1)} µs`)
  console.log(
    `  baseline scan: one check ${scanUs.toFixed(0)} µs; index ${(scanUs / indexUs).toFixed(0)}× faster per create`,
  )
  console.log(
    `  agent first-come selection (${kept.length} kept): ${keepMs.toFixed(0)} ms; baseline sort alone ${sortMs.toFixed(0)} ms; ratio ${(keepMs / sortMs).toFixed(1)}×`,
  )
}

if (import.meta.url === `file://${process.argv[1]}`) addressCheck()
