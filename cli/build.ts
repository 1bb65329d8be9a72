/** `pnpm build`: builds capd into `dist/` (see src/build/build.ts) and prints what it made. */
import { fileURLToPath } from 'node:url'
import { buildCapd } from './src/build/build.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { files, modules } = await buildCapd(root, `${root}dist`)
const width = Math.max(...files.map((f) => f.path.length))
for (const file of files)
  console.log(`dist/${file.path.padEnd(width)} ${(file.bytes / 1024).toFixed(1).padStart(9)} KiB`)
console.log(`node_modules: ${modules.map((m) => `${m.name}@${m.version}`).join(', ')}`)
