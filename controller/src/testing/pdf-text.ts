/** Tests read a PDF as a person would: its text, extracted by poppler's pdftotext (Debian: poppler-utils). */
import { spawnSync } from 'node:child_process'

/** Why PDF text cannot be checked here, or undefined when it can (CI must be able to). */
export function pdfTextMissing(): string | undefined {
  const probe = spawnSync('pdftotext', ['-v'])
  if (!probe.error) return undefined
  if (process.env.CI) throw new Error('pdftotext is missing: install poppler-utils (see .ci/run)')
  return 'pdftotext is missing (install poppler-utils)'
}

/** The PDF's text, pages in order; laid out as on the page (a label beside its value), whitespace runs made one space. */
export function pdfText(pdf: Uint8Array): string {
  const run = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], {
    input: pdf,
    maxBuffer: 16 * 1024 * 1024,
  })
  if (run.error) throw run.error
  if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr.toString()}`)
  return run.stdout.toString('utf8').replace(/\s+/g, ' ')
}
