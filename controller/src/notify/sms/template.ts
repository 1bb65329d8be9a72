/**
 * The generic gateway's templates: `{{to}}`, `{{text}}` and `{{from}}` in a URL or a body, each
 * value encoded for where it lands. Filled in one pass, so a text that itself says `{{from}}`
 * arrives as written.
 */

export const PLACEHOLDERS = ['to', 'text', 'from'] as const
export type Placeholder = (typeof PLACEHOLDERS)[number]
export type TemplateValues = Record<Placeholder, string>

/** How a value is written where it lands. */
export type Encoding = 'url' | 'form' | 'json'

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g

const ENCODERS: Record<Encoding, (value: string) => string> = {
  // encodeURIComponent leaves no `&`, `=`, `+`, `#` or `%` bare, so a value is one parameter.
  url: encodeURIComponent,
  form: encodeURIComponent,
  // The inside of a JSON string: the template supplies the quotes.
  json: (value) => JSON.stringify(value).slice(1, -1),
}

/** The placeholders `template` uses; an unknown one is an error naming `name` (a typo would be sent as is). */
export function placeholdersIn(name: string, template: string): Set<Placeholder> {
  const used = new Set<Placeholder>()
  for (const [, key] of template.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(key!)) {
      throw new Error(
        `${name} has {{${key}}}; the placeholders are ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      )
    }
    used.add(key as Placeholder)
  }
  return used
}

export function fillTemplate(template: string, values: TemplateValues, encoding: Encoding): string {
  const encode = ENCODERS[encoding]
  // A replacer function: `$&` or `$1` in a value are text, not replacement patterns.
  return template.replace(PLACEHOLDER, (_, key: string) => encode(values[key as Placeholder]))
}
