/**
 * `pnpm build`: capd as plain JavaScript in one directory. `capd.mjs` (with `lib/` and
 * `node_modules/`) runs every subcommand with `node`; `capd-agent.mjs` runs the agent alone, copied
 * by itself to an edge box; `packaging/` installs them as systemd services. No dev dependency (tsx,
 * typescript, vitest…) is needed to run either.
 */

import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { CAPD_VERSION } from '@capd/controller/version'
import { build, type Metafile } from 'esbuild'
import { agentBundle, capdBundle, EXTERNAL_PACKAGES, OPTIONAL_NATIVE } from './bundles.js'
import { type CopiedPackage, copyProductionModules } from './production-modules.js'

/** The UI's static files, read at run time from `./assets/` beside the module that serves them. */
const UI_ASSETS_MODULE = 'controller/src/ui/assets.ts'
const UI_ASSETS_DIR = 'controller/src/ui/assets'

export interface BuiltFile {
  /** Relative to the output directory. */
  path: string
  bytes: number
}

export interface BuildResult {
  outDir: string
  files: BuiltFile[]
  modules: CopiedPackage[]
}

/** Builds into `outDir`, which is emptied first; `root` is the repository. */
export async function buildCapd(root: string, outDir: string): Promise<BuildResult> {
  await rm(outDir, { recursive: true, force: true })
  await mkdir(outDir, { recursive: true })

  const capd = await build(capdBundle(root, outDir))
  checkImports(capd.metafile, [...EXTERNAL_PACKAGES, ...OPTIONAL_NATIVE], 'capd.mjs')
  await copyUiAssets(root, capd.metafile)
  const agent = await build(agentBundle(root, outDir))
  checkImports(agent.metafile, OPTIONAL_NATIVE, 'capd-agent.mjs')

  const modules = await copyProductionModules(EXTERNAL_PACKAGES, join(root, 'controller'), outDir)
  await writeFile(join(outDir, 'package.json'), packageJson(modules))
  // The systemd units and install.sh travel with the build: copy dist/ to a box, run its installer.
  await cp(join(root, 'packaging'), join(outDir, 'packaging'), { recursive: true })
  return { outDir, files: await filesUnder(outDir), modules }
}

/** Fails the build when a bundle would import a package it was not meant to leave outside. */
function checkImports(metafile: Metafile, allowed: readonly string[], what: string): void {
  const builtins = new Set(builtinModules)
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue
      const name = imported.path.replace(/^node:/, '')
      const pkg = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!
      if (builtins.has(name) || allowed.includes(pkg)) continue
      throw new Error(`${what}: ${file} imports ${imported.path}, which is neither bundled nor provided`)
    }
  }
}

/** Copies the UI's assets beside every output file that holds the module reading them. */
async function copyUiAssets(root: string, metafile: Metafile): Promise<void> {
  const holders = Object.entries(metafile.outputs).filter(([, o]) => UI_ASSETS_MODULE in o.inputs)
  if (holders.length === 0)
    throw new Error(`${UI_ASSETS_MODULE} is in no output file: the UI would have no assets`)
  for (const [file] of holders) {
    await cp(join(root, UI_ASSETS_DIR), join(root, dirname(file), 'assets'), { recursive: true })
  }
}

/** Says what `dist/` is; its dependencies are the copied packages, at the versions copied. */
function packageJson(modules: CopiedPackage[]): string {
  const top = modules.filter((m) => EXTERNAL_PACKAGES.includes(m.name as (typeof EXTERNAL_PACKAGES)[number]))
  return `${JSON.stringify(
    {
      name: 'capd',
      version: CAPD_VERSION,
      private: true,
      type: 'module',
      bin: { capd: './capd.mjs' },
      engines: { node: '>=20.19' },
      dependencies: Object.fromEntries(top.map((m) => [m.name, m.version])),
    },
    null,
    2,
  )}\n`
}

/** Every file under `dir` with its size; a `node_modules` directory is one line, its total. */
async function filesUnder(dir: string): Promise<BuiltFile[]> {
  const files: BuiltFile[] = []
  async function walk(path: string, into: BuiltFile[]): Promise<number> {
    let total = 0
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name)
      if (entry.isDirectory()) {
        const modules = entry.name === 'node_modules'
        const bytes = await walk(full, modules ? [] : into)
        if (modules) into.push({ path: `${relative(dir, full)}/`, bytes })
        total += bytes
      } else {
        const { size } = await stat(full)
        into.push({ path: relative(dir, full), bytes: size })
        total += size
      }
    }
    return total
  }
  await walk(dir, files)
  return files.sort((a, b) => a.path.localeCompare(b.path))
}
