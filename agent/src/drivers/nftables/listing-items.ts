/**
 * `nft -j list table` at 10k subscribers is ~6 MB of JSON: one JSON.parse of it holds the event
 * loop ~50 ms, and building the table from it as long again, while a pushed top-up waits. This
 * cuts the listing's top-level `nftables` array into runs of whole items at their own commas, each
 * parsed on its own: the caller can let the loop turn between runs, and parse the first runs
 * while nft still writes the rest (it writes a 10k listing over ~200 ms). It reads nft's bytes as
 * they came (only each run is decoded): even making one string of 6 MB holds the loop for a while.
 * UTF-8 never uses the bytes of `"`, `\`, brackets or braces inside a multi-byte character.
 */

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Cuts nft's output, fed a piece at a time as it comes, into the listing's items, in order, as JSON
 * arrays of about `runBytes` bytes each (a single larger item, such as a set of 10k elements, is
 * one run of its own), for the caller to parse. The pieces are never joined into one buffer
 * (copying 6 MB holds the loop too). `end()` throws a SyntaxError for a listing that is not one
 * `{"nftables": [...]}` or is cut short; JSON.parse finds every other fault.
 */
export class ListingItemSplitter {
  /** Bytes before the array's `[`: they must name it. */
  private head = ''
  private inArray = false
  private refused = false
  private ended = false
  private depth = 0
  private inString = false
  private escaped = false
  /** The current run's bytes in earlier pieces. */
  private pieces: Buffer[] = []
  private piecesBytes = 0
  private running = false

  constructor(private readonly runBytes = 256 * 1024) {}

  /** Takes the next piece of output; returns the runs it completed. */
  push(chunk: Buffer): string[] {
    const runs: string[] = []
    if (this.ended || this.refused) return runs
    let i = 0
    if (!this.inArray) {
      const open = chunk.indexOf(OPEN_BRACKET)
      this.head += chunk.toString('utf8', 0, open < 0 ? chunk.length : open)
      if (open < 0) return runs
      if (!/^\s*\{\s*"nftables"\s*:\s*$/.test(this.head)) {
        this.refused = true
        return runs
      }
      this.inArray = true
      i = open + 1
    }
    let runStart = this.running ? 0 : -1
    /** The next backslash at or after i: -1 none in this piece, below i not looked for yet. */
    let nextBackslash = -2
    for (; i < chunk.length; i++) {
      if (this.inString) {
        // Most of a listing is inside strings: skip to the string's end (or the next escape) at once.
        if (this.escaped) {
          this.escaped = false
          continue
        }
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i)
        const quote = chunk.indexOf(QUOTE, i)
        if (nextBackslash !== -1 && (quote === -1 || nextBackslash < quote)) {
          i = nextBackslash
          this.escaped = true
        } else if (quote === -1) {
          i = chunk.length - 1
        } else {
          i = quote
          this.inString = false
        }
        continue
      }
      const c = chunk[i]!
      if (c === QUOTE) this.inString = true
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (this.depth === 0 && !this.running) {
          this.running = true
          runStart = i
        }
        this.depth++
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.depth === 0) {
          // The end of the nftables array.
          this.ended = true
          break
        }
        this.depth--
        if (this.depth === 0 && this.piecesBytes + i + 1 - runStart >= this.runBytes) {
          this.pieces.push(chunk.subarray(runStart, i + 1))
          runs.push(this.cut())
          runStart = -1
        }
      }
    }
    if (this.running) {
      this.pieces.push(chunk.subarray(runStart, i))
      this.piecesBytes += i - runStart
    }
    return runs
  }

  /** After the last piece: the run left, if any; throws if the listing was not whole. */
  end(): string[] {
    if (!this.inArray) throw new SyntaxError('nft listing has no "nftables" array')
    if (!this.ended) throw new SyntaxError('nft listing is cut short')
    return this.running ? [this.cut()] : []
  }

  private cut(): string {
    const run = `[${Buffer.concat(this.pieces).toString('utf8')}]`
    this.pieces = []
    this.piecesBytes = 0
    this.running = false
    return run
  }
}
