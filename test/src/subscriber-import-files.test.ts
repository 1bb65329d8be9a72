/**
 * `capd import subscribers` at scale against the real controller process and its store on disk: a
 * 10,000-row capd CSV with bad rows at random lines, and a LibreQoS ShapedDevices.csv. The dry run
 * names exactly the refused lines and writes nothing; the import without them creates every row; the
 * same file again finds all unchanged and leaves the store files byte for byte as they were.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importCommand } from '@capd/controller/commands/import-command'
import { seededRandom } from '@capd/protocol/testing'
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { apiClient } from './support/api-client.js'
import { killAllControllers, startController } from './support/controller-process.js'
import { AGENTS, capdCsv, LEGACY, PLANS, SHAPED_DEVICES } from './support/subscriber-csv.js'

const TOKEN = 'capd_import-test-admin-token-0123456789abcdefghij'

afterAll(() => killAllControllers())

/** A controller process with the plans, agents and the legacy subscriber the files refer to. */
async function controllerWithPlans() {
  const dir = await mkdtemp(join(tmpdir(), 'capd-import-e2e-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  const dataDir = join(dir, 'data')
  const controller = await startController({ dataDir, env: { CAPD_BOOTSTRAP_TOKEN: TOKEN } })
  onTestFinished(() => controller.kill())
  const call = apiClient(controller.baseUrl, TOKEN, 60_000)
  const ids = new Map<string, string>()
  for (const name of PLANS) {
    const plan = await call('POST', '/plans', { name, capBytes: 20e9, onCap: 'block' })
    expect(plan.status).toBe(201)
    ids.set(name, plan.body.id)
  }
  for (const name of AGENTS) {
    const agent = await call('POST', '/agents', { name })
    expect(agent.status).toBe(201)
    ids.set(name, agent.body.id)
  }
  const legacy = await call('POST', '/subscribers', {
    login: LEGACY.login,
    name: 'Legacy',
    address: LEGACY.address,
    planId: ids.get(PLANS[0]),
    agentId: ids.get(LEGACY.agent),
  })
  expect(legacy.status).toBe(201)

  /** The command as `capd import subscribers FILE ...` runs it: exit code, what it printed. */
  async function capdImport(text: string, ...args: string[]) {
    const path = join(dir, `import-${Math.random().toString(36).slice(2)}.csv`)
    await writeFile(path, text)
    const out: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line))
    vi.spyOn(console, 'error').mockImplementation((line: string) => out.push(line))
    try {
      const code = await importCommand([
        'subscribers',
        path,
        '--url',
        controller.baseUrl,
        '--token',
        TOKEN,
        ...args,
      ])
      return { code, output: out.join('\n') }
    } finally {
      vi.restoreAllMocks()
    }
  }
  /** The store's files: the same digests mean nothing was written. */
  const storeText = async () =>
    (
      await Promise.all(
        ['capd.json', 'capd.wal'].map((f) => readFile(join(dataDir, f)).catch(() => Buffer.alloc(0))),
      )
    ).map((bytes) => bytes.toString('utf8'))
  const storeFiles = async () =>
    (await storeText()).map((text) => createHash('sha256').update(text).digest('hex'))
  const subscriber = async (login: string) =>
    (await call('GET', `/subscribers?q=${encodeURIComponent(login)}`)).body.items.find(
      (s: { login: string }) => s.login === login,
    )
  return { capdImport, storeFiles, storeText, subscriber }
}

/** The lines the report refuses (notes, updates and skips aside). */
const refusedLines = (output: string) =>
  [...output.matchAll(/^line (\d+): (?!note for |update |skipped )/gm)].map((m) => Number(m[1]))

describe('capd import subscribers against the controller process', () => {
  it('a 10,000-row capd CSV: the dry run names exactly the bad lines, the rest import once', async () => {
    const seed = Number(process.env.CAPD_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31))
    const file = capdCsv(seededRandom(seed), 10_000, 20)
    const c = await controllerWithPlans()
    const before = await c.storeFiles()

    const dry = await c.capdImport(file.text, '--dry-run')
    expect(dry.code, `seed ${seed}\n${dry.output}`).toBe(1)
    expect(refusedLines(dry.output), `seed ${seed}`).toEqual(file.badLines)
    expect(dry.output).toContain(
      `${file.goodNames.length} to create, 0 to update, 0 unchanged, 20 refused; nothing was changed`,
    )
    // Without --dry-run, one bad row still refuses the whole file.
    const refused = await c.capdImport(file.text)
    expect(refused.code).toBe(1)
    expect(refusedLines(refused.output), `seed ${seed}`).toEqual(file.badLines)
    expect(await c.storeFiles()).toEqual(before)

    const run = await c.capdImport(file.goodText)
    expect(run.code, `seed ${seed}\n${run.output.slice(0, 2000)}`).toBe(0)
    expect(run.output).toContain(
      `${file.goodNames.length} to create, 0 to update, 0 unchanged, 0 refused; done`,
    )
    const written = await c.storeFiles()
    expect(written).not.toEqual(before)

    const again = await c.capdImport(file.goodText)
    expect(again.code, `seed ${seed}\n${again.output.slice(0, 2000)}`).toBe(0)
    expect(again.output).toContain(
      `0 to create, 0 to update, ${file.goodNames.length} unchanged, 0 refused; done`,
    )
    expect(await c.storeFiles()).toEqual(written)

    // Names with commas, quotes and non-ASCII letters reached the store as written.
    const stored = (await c.storeText()).join('')
    const awkward = file.goodNames.filter(
      (name) => /[",]/.test(name) && [...name].some((ch) => ch.codePointAt(0)! > 127),
    )
    expect(awkward.length).toBeGreaterThan(0)
    for (const name of awkward) expect(stored).toContain(JSON.stringify(name))
  }, 120_000)

  it("LibreQoS's ShapedDevices.csv: refused circuits listed, the rest imported once", async () => {
    const lines = SHAPED_DEVICES.text.split('\n')
    const c = await controllerWithPlans()
    const args = ['--agent', 'tower-1', '--map-plan', '105/18=Home 20', '--map-plan', '155/20=Basic 100 GB']
    const before = await c.storeFiles()
    const dry = await c.capdImport(SHAPED_DEVICES.text, '--dry-run', ...args)
    expect(dry.code, dry.output).toBe(1)
    expect(dry.output).toContain('LibreQoS ShapedDevices.csv (told from the header row)')
    expect(refusedLines(dry.output)).toEqual(SHAPED_DEVICES.refusedLines)
    expect(dry.output).toContain('line 4: circuit "1": several IPv4 addresses (100.64.0.1, 100.64.0.14)')
    expect(dry.output).toContain('line 7: circuit "2794": several IPv4 addresses (100.64.0.5, 100.64.0.6)')
    expect(dry.output).toContain('line 14: address 10.250.0.9 overlaps 10.250.0.0/24 of subscriber "legacy"')
    expect(dry.output).toContain('line 15: no plan for 300/60 Mbps')
    expect(await c.storeFiles()).toEqual(before)

    const refusedCircuits = SHAPED_DEVICES.refusedLines.map((n) => lines[n - 1]!.split(',')[0])
    const kept = lines.filter((l) => !refusedCircuits.includes(l.split(',')[0])).join('\n')
    const run = await c.capdImport(kept, ...args)
    expect(run.code, run.output).toBe(0)
    expect(run.output).toContain(
      `${SHAPED_DEVICES.created.length} to create, 0 to update, 0 unchanged, 0 refused; done`,
    )
    expect(await c.subscriber('5')).toMatchObject({
      name: '93 Oklahoma Ave., Parsippany, NJ 07054',
      address: '100.64.0.7',
    })
    expect(await c.subscriber('7')).toMatchObject({
      name: 'IPv6 only, Kisumu',
      address: 'fdd7:b724:0:a00::/56',
    })
    const written = await c.storeFiles()

    const again = await c.capdImport(kept, ...args)
    expect(again.code, again.output).toBe(0)
    expect(again.output).toContain(
      `0 to create, 0 to update, ${SHAPED_DEVICES.created.length} unchanged, 0 refused; done`,
    )
    expect(await c.storeFiles()).toEqual(written)
  }, 60_000)
})
