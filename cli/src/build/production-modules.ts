/**
 * The `node_modules` a built `capd.mjs` needs: the packages it leaves external and everything they
 * depend on, copied from this checkout's install (so exactly the versions pnpm-lock.yaml pins) into
 * an npm-style tree that plain `node` resolves. Only JavaScript is copied: a package that would need
 * an install script or a native build is refused, since nothing runs its install on the target.
 */
import { existsSync } from 'node:fs'
import { cp, readFile, realpath } from 'node:fs/promises'
import { dirname, join } from 'node:path'

interface PackageJson {
  name: string
  version: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  scripts?: Record<string, string>
  gypfile?: boolean
}

export interface CopiedPackage {
  name: string
  version: string
  /** Where it went, relative to the output directory (`node_modules/fontkit`). */
  path: string
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const

/** The real directory of `name` as Node would find it from `fromDir` (walking up `node_modules`). */
async function findPackage(name: string, fromDir: string): Promise<string | undefined> {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpath(candidate)
    if (dirname(dir) === dir) return undefined
  }
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson
}

/**
 * Copies `names` (resolved from `fromDir`) and their dependencies into `outDir/node_modules`. A
 * package goes to the top unless another version of it is already what its dependent would find;
 * then it nests under the dependent, as npm does.
 */
export async function copyProductionModules(
  names: readonly string[],
  fromDir: string,
  outDir: string,
): Promise<CopiedPackage[]> {
  const copied: CopiedPackage[] = []
  /** Destination directory → the real directory copied there. */
  const placed = new Map<string, string>()

  async function place(name: string, from: string, dependentDir: string, optional: boolean): Promise<void> {
    const real = await findPackage(name, from)
    if (real === undefined) {
      if (optional) return
      throw new Error(`cannot find ${name} (needed from ${from}): run pnpm install first`)
    }
    // What Node would resolve from the dependent: the nearest node_modules/<name> up its path.
    let target: string | undefined
    for (let dir = dependentDir; dir.startsWith(outDir); dir = dirname(dir)) {
      const existing = placed.get(join(dir, 'node_modules', name))
      if (existing === real) return
      if (existing !== undefined) {
        target = join(dependentDir, 'node_modules', name)
        break
      }
      if (dir === outDir) break
    }
    target ??= join(outDir, 'node_modules', name)
    if (placed.has(target)) throw new Error(`two versions of ${name} need ${target}`)
    const pkg = await readPackageJson(real)
    const script = INSTALL_SCRIPTS.find((s) => pkg.scripts?.[s] !== undefined)
    if (pkg.gypfile || existsSync(join(real, 'binding.gyp')) || script !== undefined) {
      throw new Error(
        `${name}@${pkg.version} needs an install step (${script ?? 'native build'}): it cannot be copied; bundle it or drop it`,
      )
    }
    placed.set(target, real)
    await cp(real, target, {
      recursive: true,
      dereference: true,
      filter: (source) => !source.slice(real.length).split('/').includes('node_modules'),
    })
    copied.push({ name, version: pkg.version, path: target.slice(outDir.length + 1) })
    for (const dep of Object.keys(pkg.dependencies ?? {})) await place(dep, real, target, false)
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) await place(dep, real, target, true)
  }

  for (const name of names) await place(name, fromDir, outDir, false)
  return copied
}
