/**
 * `pnpm tsx bench/crash-soak.ts [rounds]` (root, Linux): the randomized crash rounds of
 * test/src/crash-rounds.test.ts for as long as wanted (default 500 rounds). Stops at the first round
 * whose books differ from the independent nft count and prints the processes' logs and the seed to
 * replay it with (`CAPD_CRASH_SEED=<n>`). Prints bytes booked / bytes counted by the audit counter
 * (the baseline, same run): 1 exactly when nothing was lost or counted twice.
 */
import { netnsUnavailableReason } from '../test/src/support/netns-router.js'

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

const rounds = Number(process.argv[2] ?? 500)
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`usage: pnpm tsx bench/crash-soak.ts [rounds]  (got "${process.argv[2]}")`)
  process.exit(2)
}
const unavailable = await netnsUnavailableReason()
if (unavailable) {
  console.log(`crash soak skipped: ${unavailable}`)
  process.exit(0)
}
// Imported only now: the stack module probes for namespaces when it loads.
const { createCrashRig } = await import('../test/src/support/crash-rounds.js')

const seed = Number(process.env.CAPD_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32))
console.log(`crash soak: ${rounds} rounds, CAPD_CRASH_SEED=${seed}`)
const rig = await createCrashRig(seed)
const started = performance.now()
const tally = new Map<string, number>()
let audited = 0
let booked = 0
let failed = false
try {
  for (let n = 1; n <= rounds; n++) {
    const report = await rig.round(n)
    const name = `${report.kind} / ${report.crash}`
    tally.set(name, (tally.get(name) ?? 0) + 1)
    audited = 0
    booked = 0
    for (const [a, b] of report.books.values()) {
      audited += a
      booked += b
    }
    if (!report.ok) {
      failed = true
      console.log(`round ${n} (${name}) FAILED, CAPD_CRASH_SEED=${seed}`)
      for (const [id, [a, b]] of report.books) if (a !== b) console.log(`  ${id}: audit ${a} booked ${b}`)
      console.log(rig.logs())
      break
    }
    if (n % 10 === 0) {
      const seconds = (performance.now() - started) / 1000
      console.log(`${n} rounds ok in ${seconds.toFixed(0)} s (${(seconds / n).toFixed(1)} s a round)`)
    }
  }
} finally {
  await rig.destroy()
}
for (const [name, count] of [...tally].sort()) console.log(`  ${String(count).padStart(5)}  ${name}`)
const kills = rig.controllerKills
console.log(`controller kills: ${kills.total}, ${kills.midSnapshot} of them mid-snapshot`)
console.log(
  `bytes booked / bytes counted by the audit counter: ${audited ? (booked / audited).toFixed(6) : '-'} ` +
    `(${booked} / ${audited}), CAPD_CRASH_SEED=${seed}`,
)
process.exit(failed ? 1 : 0)
