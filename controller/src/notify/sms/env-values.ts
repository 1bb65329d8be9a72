/** Reading SMS settings from the environment: trimmed values, and secrets given inline or as `file://` paths. */
import { readFileSync } from 'node:fs'

/** The variable's value, trimmed; undefined when unset or blank. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined
}

/**
 * A secret given inline, or the contents of the `file://` URL it names (keeps it out of process
 * lists). Errors name the variable, never the value.
 */
export function envSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = envValue(env, name)
  if (!value?.startsWith('file://')) return value
  let text: string
  try {
    text = readFileSync(new URL(value), 'utf8').trim()
  } catch (err) {
    throw new Error(`${name}: cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`)
  }
  if (!text) throw new Error(`${name}: ${value} is empty`)
  return text
}

/** An http(s) URL without a trailing slash, or an error naming the variable. */
export function envHttpUrl(name: string, value: string, example: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${name} must be a URL such as ${example}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an http:// or https:// URL`)
  }
  if (url.search || url.hash) throw new Error(`${name} must be a base URL such as ${example} (no query)`)
  return value.replace(/\/+$/, '')
}
