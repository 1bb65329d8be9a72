/**
 * How the end-to-end tests run capd's two programs: from the sources under tsx (the default, for
 * development), or, with `CAPD_E2E_RUN=dist`, the built JavaScript that production runs
 * (`dist/capd.mjs controller …`, `dist/capd-agent.mjs …`, plain node, no loader), as `.ci/run`
 * does after `pnpm build`.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  REPO_ROOT,
  startNodeProcess,
  startTsxProcess,
  type TsxProcess,
  type TsxStart,
} from './tsx-process.js'

const DIST = join(REPO_ROOT, 'dist')

export type E2eRun = 'tsx' | 'dist'

/** `CAPD_E2E_RUN`: unset or `tsx` runs the sources, `dist` the build; anything else is a mistake. */
export function e2eRun(env: NodeJS.ProcessEnv = process.env): E2eRun {
  const value = env.CAPD_E2E_RUN ?? 'tsx'
  if (value === 'tsx' || value === 'dist') return value
  throw new Error(`CAPD_E2E_RUN must be tsx or dist, not ${JSON.stringify(value)}`)
}

const PROGRAMS = {
  controller: { source: 'controller/src/main.ts', built: 'capd.mjs', command: ['controller'] },
  agent: { source: 'agent/src/main.ts', built: 'capd-agent.mjs', command: [] },
} as const

export type CapdProgram = keyof typeof PROGRAMS

/** Starts `program` with `start.args` the way CAPD_E2E_RUN says; the working directory is the repository. */
export function startCapdProgram(program: CapdProgram, start: Omit<TsxStart, 'script'>): Promise<TsxProcess> {
  const { source, built, command } = PROGRAMS[program]
  if (e2eRun() === 'tsx') return startTsxProcess({ ...start, script: source })
  const script = join(DIST, built)
  if (!existsSync(script)) {
    throw new Error(`CAPD_E2E_RUN=dist but ${script} does not exist: run pnpm build first`)
  }
  return startNodeProcess({ ...start, script, args: [...command, ...start.args], cwd: REPO_ROOT })
}
