/**
 * RouterOS print queries as the API manual defines them: each `?` word pushes a boolean onto a
 * stack that starts as endless `true`s; `?#` words run operators on it; an item is printed when no
 * `false` is left on the stack.
 */
import { PeerTrap } from './trap.js'

type Item = Readonly<Record<string, string>>

export function matchesQuery(item: Item, queries: readonly string[]): boolean {
  const stack: boolean[] = []
  for (const word of queries) {
    const body = word.slice(1)
    if (body.startsWith('#')) runOperators(stack, body.slice(1))
    else stack.push(test(item, body))
  }
  return !stack.includes(false)
}

function test(item: Item, body: string): boolean {
  if (body.startsWith('-')) return item[body.slice(1)] === undefined
  const op = body[0] === '<' || body[0] === '>' ? body[0] : undefined
  const rest = op ? body.slice(1) : body
  const eq = rest.indexOf('=')
  if (eq < 0) {
    if (op) throw new PeerTrap(`invalid query: ${body}`)
    return item[rest] !== undefined
  }
  const actual = item[rest.slice(0, eq)] ?? ''
  const wanted = rest.slice(eq + 1)
  if (!op) return actual === wanted
  const order = compare(actual, wanted)
  return op === '<' ? order < 0 : order > 0
}

/** Numbers compare as numbers (counters exceed 2^53, so as bigints), everything else as text. */
function compare(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const [x, y] = [BigInt(a), BigInt(b)]
    return x < y ? -1 : x > y ? 1 : 0
  }
  return a < b ? -1 : a > b ? 1 : 0
}

function runOperators(stack: boolean[], ops: string): void {
  const at = (index: number) => (index < stack.length ? stack[stack.length - 1 - index]! : true)
  const pop = () => (stack.length > 0 ? stack.pop()! : true)
  let i = 0
  while (i < ops.length) {
    const digits = /^\d+/.exec(ops.slice(i))?.[0]
    if (digits) {
      // An index: at the end of the word it replaces the whole stack, otherwise it pushes a copy.
      i += digits.length
      const value = at(Number(digits))
      if (i === ops.length) stack.splice(0, stack.length, value)
      else {
        stack.push(value)
        if (ops[i] === '.') i++
      }
      continue
    }
    const op = ops[i++]
    if (op === '!') stack.push(!pop())
    else if (op === '&' || op === '|') {
      // Both operands leave the stack, whatever the first one is (no short circuit).
      const [a, b] = [pop(), pop()]
      stack.push(op === '&' ? a && b : a || b)
    } else if (op === '.') stack.push(at(0))
    else throw new PeerTrap(`unknown query operation ${op}`)
  }
}
