/**
 * Prometheus's own `promtool check metrics` (Debian's `prometheus` package): parses an exposition
 * with Prometheus's parser and lints the names, units and help. Tests skip without it, saying why,
 * except under CI=true, where that is a failure.
 */
import { spawnSync } from 'node:child_process'
import { prerequisite } from './prerequisite.js'

const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' })
const unavailable = probe.error ? 'promtool is not installed (apt-get install prometheus)' : undefined
const needs = prerequisite('promtool checks', unavailable)

export const skipPromtool = needs.skip
export const promtoolTitle = needs.title

/** `promtool check metrics` of this exposition text: its exit code and everything it printed. */
export function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], {
    input: exposition,
    encoding: 'utf8',
    timeout: 20_000,
  })
  if (run.error) throw run.error
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}
