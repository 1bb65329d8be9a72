/**
 * `nft -j list table` at 10k subscribers is ~6 MB of JSON: one JSON.parse of it holds the event
 * loop ~50 ms, and building the table from it as long again, while a pushed top-up waits. This
 * cuts the listing's top-level `nftables` array into runs of whole items at their own commas, each
 * parsed on its own: the caller can let the loop turn between runs.
 */

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Where the items of the top-level `nftables` array begin (just past its `[`). */
function arrayStart(text: string): number {
  const key = text.indexOf('"nftables"')
  if (key < 0) throw new SyntaxError('nft listing has no "nftables" array')
  const open = text.indexOf('[', key)
  if (open < 0) throw new SyntaxError('nft listing has no "nftables" array')
  return open + 1
}

/**
 * The listing's items, in order, as arrays of about `chunkChars` characters of text each (a single
 * larger item, such as a set of 10k elements, is one run of its own). Throws a SyntaxError for a
 * listing that is cut short; JSON.parse finds every other fault in the runs.
 */
export function* listingItemRuns(text: string, chunkChars = 256 * 1024): Generator<unknown[]> {
  let i = arrayStart(text)
  let depth = 0
  let runStart = -1
  let inString = false
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
      continue
    }
    if (c === QUOTE) inString = true
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 0 && runStart < 0) runStart = i
      depth++
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) break // the end of the nftables array
      depth--
      if (depth === 0 && i + 1 - runStart >= chunkChars) {
        yield JSON.parse(`[${text.slice(runStart, i + 1)}]`) as unknown[]
        runStart = -1
      }
    }
  }
  if (depth !== 0 || inString || i >= text.length) throw new SyntaxError('nft listing is cut short')
  if (runStart >= 0) yield JSON.parse(`[${text.slice(runStart, i)}]`) as unknown[]
}
