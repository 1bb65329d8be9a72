/**
 * What esbuild makes of capd's sources: `capd.mjs`, the whole `capd` command with each subcommand in
 * its own chunk (loaded only when asked for, as from source), and `capd-agent.mjs`, the agent alone
 * in one file with every dependency inside, for an edge box that has Node and nothing else.
 */
import type { BuildOptions } from 'esbuild'

/**
 * Packages `capd.mjs` leaves to `node_modules` beside it. pdfkit reads files next to its own code at
 * run time (the sRGB ICC profile, found through `__filename`), which a bundle cannot carry; its
 * dependency tree is pure JavaScript, so the build copies it, at the locked versions, into
 * `dist/node_modules` (see production-modules.ts). Everything else is bundled: stripe and nodemailer
 * read no files of their own, so bundling them leaves production nothing to install.
 */
export const EXTERNAL_PACKAGES = ['pdfkit'] as const

/**
 * Optional native add-ons, left out of both bundles. ws `require`s its two in a try and falls back
 * to its JavaScript masking and UTF-8 check, so the agent runs with no node_modules at all; pg
 * `require`s pg-native only when `pg.native` is asked for, which capd never does.
 */
export const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate', 'pg-native'] as const

/**
 * ESM output has no `require`; bundled CommonJS packages (pino, ws, net-snmp) call it for Node's
 * built-in modules and for ws's optional add-ons, so each output file makes its own.
 */
const REQUIRE_BANNER =
  "import { createRequire as capdCreateRequire } from 'node:module'\nconst require = capdCreateRequire(import.meta.url)"

/** Options with a metafile, which the build reads to check imports and place assets. */
export type BundleOptions = BuildOptions & { metafile: true }

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  entryNames: '[name]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
} satisfies BuildOptions

/** `capd.mjs` and its chunks (in `lib/`, one per subcommand and per shared part). */
export function capdBundle(root: string, outDir: string): BundleOptions {
  return {
    ...common,
    absWorkingDir: root,
    entryPoints: { capd: 'cli/src/main.ts' },
    outdir: outDir,
    splitting: true,
    chunkNames: 'lib/[name]-[hash]',
    external: [...EXTERNAL_PACKAGES, ...OPTIONAL_NATIVE],
    banner: { js: `#!/usr/bin/env node\n${REQUIRE_BANNER}` },
  }
}

/**
 * `capd-agent.mjs`: `node capd-agent.mjs --config agent.json`, one file. Whitespace and syntax are
 * minified (names are kept, so stack traces still read): V8 holds the source of every loaded script,
 * and on a small box those megabytes count.
 */
export function agentBundle(root: string, outDir: string): BundleOptions {
  return {
    ...common,
    absWorkingDir: root,
    entryPoints: { 'capd-agent': 'agent/src/main.ts' },
    outdir: outDir,
    minifyWhitespace: true,
    minifySyntax: true,
    external: [...OPTIONAL_NATIVE],
    banner: { js: `#!/usr/bin/env node\n${REQUIRE_BANNER}` },
  }
}
