/**
 * Randomized crash rounds on a namespace router (support/crash-rounds.ts): after every round of
 * SIGKILLs under traffic, the controller's usedBytes of every subscriber equals an independent nft
 * counter on the same path, to the byte. `CAPD_CRASH_SEED=<n>` replays a run; `bench/crash-soak.ts`
 * runs many more rounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipStack, stackTitle } from './support/capd-stack.js'
import { type CrashRig, createCrashRig } from './support/crash-rounds.js'

const ROUNDS = 40
const SEED = Number(process.env.CAPD_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32))

describe.skipIf(skipStack)(stackTitle('random crashes on a namespace router'), () => {
  let rig: CrashRig

  beforeAll(async () => {
    console.info(`crash rounds: CAPD_CRASH_SEED=${SEED}`)
    rig = await createCrashRig(SEED)
  })
  afterAll(async () => {
    await rig?.destroy()
  })

  it(`books every byte once across ${ROUNDS} rounds of agent and controller SIGKILLs`, async () => {
    const startedMs = performance.now()
    const kinds = new Map<string, number>()
    for (let n = 1; n <= ROUNDS; n++) {
      const report = await rig.round(n)
      const name = `${report.kind} / ${report.crash}`
      kinds.set(name, (kinds.get(name) ?? 0) + 1)
      const context = `round ${n} (${report.kind}, crash: ${report.crash}), CAPD_CRASH_SEED=${SEED}`
      if (!report.ok) console.info(`${context}\n${rig.logs()}`)
      const diffs = [...report.books]
        .filter(([, [audited, booked]]) => audited !== booked)
        .map(([id, [audited, booked]]) => `${id}: audit ${audited} booked ${booked} (${booked - audited})`)
      expect(diffs, context).toEqual([])
    }
    console.info(
      `crash rounds: ${ROUNDS} rounds in ${((performance.now() - startedMs) / 1000).toFixed(0)} s, ` +
        `CAPD_CRASH_SEED=${SEED}: ${JSON.stringify(Object.fromEntries([...kinds].sort()))}; ` +
        `controller kills ${rig.controllerKills.total}, ${rig.controllerKills.midSnapshot} mid-snapshot`,
    )
  }, 900_000)
})
