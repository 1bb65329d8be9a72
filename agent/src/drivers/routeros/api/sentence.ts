/** The words of a RouterOS API command, and what a reply sentence says. */

/** One item of a reply (`!re`): property name → value, as RouterOS sent it (numbers stay strings). */
export type RouterOsRow = Record<string, string>

export interface RouterOsCallOptions {
  /**
   * Query words, each starting with `?`: `?name=value`, `?name`, `?-name`, `?<name=v`, `?>name=v`,
   * and the stack operators `?#|`, `?#&`, `?#!`, `?#.`. All must hold for an item to be printed.
   */
  query?: readonly string[]
  /** Only these properties in each `!re` (`=.proplist=a,b`). */
  proplist?: readonly string[]
  /** Overrides the connection's per-call timeout. */
  timeoutMs?: number
}

/** The words of one command sentence; throws a TypeError for words RouterOS would misread. */
export function commandWords(
  command: string,
  args: Readonly<Record<string, string>> = {},
  options: RouterOsCallOptions = {},
  tag?: string,
): string[] {
  if (!/^\/[^\s=?]*$/.test(command) || command.length < 2) {
    throw new TypeError(`not a RouterOS API command: ${JSON.stringify(command)}`)
  }
  const words = [command]
  for (const [name, value] of Object.entries(args)) {
    if (name === '' || name.includes('=')) throw new TypeError(`bad attribute name: ${JSON.stringify(name)}`)
    if (typeof value !== 'string') throw new TypeError(`attribute ${name} must be a string`)
    words.push(`=${name}=${value}`)
  }
  if (options.proplist) {
    for (const name of options.proplist) {
      if (name === '' || /[,=]/.test(name)) throw new TypeError(`bad proplist name: ${JSON.stringify(name)}`)
    }
    words.push(`=.proplist=${options.proplist.join(',')}`)
  }
  for (const word of options.query ?? []) {
    if (!word.startsWith('?') || word.length < 2) {
      throw new TypeError(`query words start with '?': ${JSON.stringify(word)}`)
    }
    words.push(word)
  }
  if (tag !== undefined) words.push(`.tag=${tag}`)
  return words
}

export type ReplyKind = '!re' | '!done' | '!trap' | '!fatal' | '!empty'

export interface Reply {
  /** The first word; unknown reply words are passed on so a newer RouterOS cannot break the reader. */
  kind: ReplyKind | (string & {})
  /** `.tag=` from anywhere in the sentence. */
  tag?: string
  /** The `=name=value` words. */
  attributes: RouterOsRow
  /** Words that are neither (the reason of a `!fatal` is one). */
  other: string[]
}

export function parseReply(words: readonly string[]): Reply {
  const [kind = '', ...rest] = words
  const entries: [string, string][] = []
  const other: string[] = []
  let tag: string | undefined
  for (const word of rest) {
    if (word.startsWith('=')) {
      // The name ends at the second '='; the value may contain more of them.
      const end = word.indexOf('=', 1)
      entries.push(end < 0 ? [word.slice(1), ''] : [word.slice(1, end), word.slice(end + 1)])
    } else if (word.startsWith('.tag=')) {
      tag = word.slice('.tag='.length)
    } else {
      other.push(word)
    }
  }
  // fromEntries defines own properties, so a `=__proto__=` word cannot reach the prototype.
  const reply: Reply = { kind, attributes: Object.fromEntries(entries), other }
  if (tag !== undefined) reply.tag = tag
  return reply
}
