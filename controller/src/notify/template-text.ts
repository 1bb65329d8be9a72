/**
 * The template language, all of it: `{{ name }}` is replaced by that variable's value. Nothing else
 * is special, nothing is evaluated, and a value is inserted as it is (its own `{{…}}` stays text):
 * the text is scanned once, so no value is ever read as template.
 */

/** A placeholder: `{{`, optional spaces, anything but braces, optional spaces, `}}`. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g
const NAME = /^[A-Za-z][A-Za-z0-9]*$/

/** `template` with each `{{ name }}` replaced by `vars[name]`; a variable without a value is empty. */
export function fillTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) =>
    Object.hasOwn(vars, name) ? (vars[name] ?? '') : '',
  )
}

/** What is wrong with a template's placeholders, as sentences for the person who wrote it. */
export function templateProblems(template: string, known: ReadonlySet<string>): string[] {
  const problems: string[] = []
  const unknown = new Set<string>()
  for (const [, name = ''] of template.matchAll(PLACEHOLDER)) {
    if (name === '')
      problems.push('{{ }} names no variable: write a name between the braces, or remove them.')
    else if (!NAME.test(name) || !known.has(name)) unknown.add(name)
  }
  if (unknown.size > 0) {
    const names = [...unknown].map((n) => `{{${n}}}`).join(', ')
    problems.push(
      unknown.size === 1
        ? `There is no variable ${names} for this message: use one of those listed.`
        : `There are no variables ${names} for this message: use those listed.`,
    )
  }
  // A brace pair left open would be sent as it is: most likely a typo of a placeholder.
  if (template.replace(PLACEHOLDER, '').includes('{{')) {
    problems.push('A {{ is not closed with }}: finish the variable’s name, or remove the braces.')
  }
  return problems
}
