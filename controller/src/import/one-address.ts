/**
 * capd holds one address or prefix per subscriber; LibreQoS circuits and Splynx services may list
 * several. One IPv4 entry (address or prefix) is taken and the IPv6 ones reported as not imported;
 * with no IPv4, one IPv6 entry is taken. More than one of the family taken is refused, naming
 * them: no covering prefix is made up, as it could take in other customers' addresses.
 */

export type AddressChoice = { address: string; leftOut: string[] } | { problem: string }

/** `cells` are comma-separated lists ("100.64.0.1, 100.64.0.14"), empty cells allowed. */
export function oneAddress(cells: readonly string[]): AddressChoice {
  const entries = [
    ...new Set(
      cells
        .flatMap((cell) => cell.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  const v6 = entries.filter((e) => e.includes(':'))
  const v4 = entries.filter((e) => !e.includes(':'))
  const [family, taken, rest] = v4.length > 0 ? ['IPv4', v4, v6] : ['IPv6', v6, []]
  if (taken.length === 0) return { problem: 'no IPv4 or IPv6 address' }
  if (taken.length > 1) {
    return {
      problem: `several ${family} addresses (${taken.join(', ')}); capd holds one address or prefix per subscriber: give the subscriber one prefix that covers them all`,
    }
  }
  return { address: taken[0]!, leftOut: rest }
}

/** The note for addresses not imported. */
export const leftOutNote = (leftOut: readonly string[]) =>
  `${leftOut.join(', ')} not imported: capd holds one address or prefix per subscriber (the IPv4 one was taken)`
