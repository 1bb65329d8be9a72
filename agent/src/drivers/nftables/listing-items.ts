/**
 * `nft -j list table` at 10k subscribers is ~6 MB of JSON: one JSON.parse of it holds the event
 * loop ~50 ms, and building the table from it as long again, while a pushed top-up waits. This
 * cuts the listing's top-level `nftables` array into runs of whole items at their own commas, each
 * parsed on its own: the caller can let the loop turn between runs. It reads nft's bytes as they
 * came (only each run is decoded): even making one string of 6 MB holds the loop for a while.
 * UTF-8 never uses the bytes of `"`, `\`, brackets or braces inside a multi-byte character.
 */

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * The listing's items, in order, as JSON arrays of about `runBytes` bytes each (a single larger
 * item, such as a set of 10k elements, is one run of its own), for the caller to parse. `chunks`
 * are nft's output as it came, never joined into one buffer (copying 6 MB holds the loop too).
 * Throws a SyntaxError for a listing that is not one `{"nftables": [...]}` or is cut short;
 * JSON.parse finds every other fault.
 */
export function* listingItemRuns(chunks: readonly Buffer[], runBytes = 256 * 1024): Generator<string> {
  /** Bytes before the array's `[`: they must name it. */
  let head = ''
  let inArray = false
  let ended = false
  let depth = 0
  let inString = false
  let escaped = false
  /** The current run's bytes in earlier chunks, and where it starts in this one (-1: not in it). */
  let pieces: Buffer[] = []
  let piecesBytes = 0
  let runStart = -1
  let running = false
  for (const chunk of chunks) {
    let i = 0
    if (!inArray) {
      const open = chunk.indexOf(OPEN_BRACKET)
      head += chunk.toString('utf8', 0, open < 0 ? chunk.length : open)
      if (open < 0) continue
      if (!/^\s*\{\s*"nftables"\s*:\s*$/.test(head)) break
      inArray = true
      i = open + 1
    }
    runStart = running ? 0 : -1
    for (; i < chunk.length; i++) {
      const c = chunk[i]!
      if (inString) {
        if (escaped) escaped = false
        else if (c === BACKSLASH) escaped = true
        else if (c === QUOTE) inString = false
        continue
      }
      if (c === QUOTE) inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (depth === 0 && !running) {
          running = true
          runStart = i
        }
        depth++
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) {
          // The end of the nftables array.
          ended = true
          break
        }
        depth--
        if (depth === 0 && piecesBytes + i + 1 - runStart >= runBytes) {
          pieces.push(chunk.subarray(runStart, i + 1))
          yield `[${Buffer.concat(pieces).toString('utf8')}]`
          pieces = []
          piecesBytes = 0
          running = false
          runStart = -1
        }
      }
    }
    if (ended) {
      if (running) pieces.push(chunk.subarray(runStart, i))
      break
    }
    if (running) {
      pieces.push(chunk.subarray(runStart))
      piecesBytes += chunk.length - runStart
    }
  }
  if (!inArray) throw new SyntaxError('nft listing has no "nftables" array')
  if (!ended) throw new SyntaxError('nft listing is cut short')
  if (running) yield `[${Buffer.concat(pieces).toString('utf8')}]`
}
