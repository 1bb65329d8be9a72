/**
 * The end-to-end tests run what CAPD_E2E_RUN says: with `dist` (as `.ci/run` sets it after
 * `pnpm build`), the controller and the agent are the built files under plain node, no tsx loader.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { e2eRun } from './support/capd-program.js'
import { killAllControllers, startController } from './support/controller-process.js'

afterAll(killAllControllers)

describe('the programs the end-to-end tests run', () => {
  it('are the build under CAPD_E2E_RUN=dist and the sources under tsx otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-e2e-programs-'))
    try {
      const controller = await startController({ dataDir: join(dir, 'data') })
      const argv = (await readFile(`/proc/${controller.pid}/cmdline`, 'utf8')).split('\0')
      await controller.stop()
      if (e2eRun() === 'dist') {
        expect(argv.slice(1, 3)).toEqual([expect.stringMatching(/\/dist\/capd\.mjs$/), 'controller'])
        expect(argv.join(' ')).not.toMatch(/tsx|--import/)
      } else {
        expect(argv[1]).toBe('--import')
        expect(argv[2]).toMatch(/tsx/)
        expect(argv[3]).toBe('controller/src/main.ts')
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a CAPD_E2E_RUN it does not know instead of running the sources', () => {
    expect(e2eRun({})).toBe('tsx')
    expect(e2eRun({ CAPD_E2E_RUN: 'dist' })).toBe('dist')
    expect(() => e2eRun({ CAPD_E2E_RUN: 'built' })).toThrow(/CAPD_E2E_RUN must be tsx or dist/)
  })
})
