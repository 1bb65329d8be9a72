/** A downloaded PDF's text, as poppler's pdftotext reads it (Debian: poppler-utils). */
import { spawnSync } from 'node:child_process'

/** Why PDF text cannot be read here (undefined: it can); under CI=true a missing tool is a failure. */
export function pdfTextMissing(): string | undefined {
  if (!spawnSync('pdftotext', ['-v']).error) return undefined
  if (process.env.CI === 'true') throw new Error('pdftotext is missing: install poppler-utils (see .ci/run)')
  return 'no pdftotext (apt-get install poppler-utils)'
}

/** The text laid out as on the page, whitespace runs made one space. */
export function pdfText(pdf: Uint8Array): string {
  const run = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { input: pdf })
  if (run.error) throw run.error
  if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr.toString()}`)
  return run.stdout.toString('utf8').replace(/\s+/g, ' ')
}
