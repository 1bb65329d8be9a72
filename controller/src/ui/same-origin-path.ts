/** A redirect target from user input (`?next=`) that can only lead to a page on this site. */

const ORIGIN = 'http://origin.invalid'

/**
 * `next` as the WHATWG URL parser (what browsers use) resolves it against this site: its path,
 * query and fragment when it stays on this origin, else `/`. The parser strips tabs and newlines
 * and reads `\` as `/`, so `/\t/evil` and `/\evil` are caught where a regex would miss them, and
 * what comes back is percent-encoded ASCII, safe in a Location header. A path that still begins
 * with `//` (`/.//evil` normalises to it) would be read as another host, so it is refused too.
 */
export function sameOriginPath(next: string | undefined, fallback = '/'): string {
  if (!next) return fallback
  let url: URL
  try {
    url = new URL(next, `${ORIGIN}/`)
  } catch {
    return fallback
  }
  if (url.origin !== ORIGIN || url.pathname.startsWith('//')) return fallback
  return url.pathname + url.search + url.hash
}
