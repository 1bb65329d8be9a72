/** The API takes bytes: an amount under 1 MB is most likely a size sent without its unit, so it needs `allowTiny`. */
import { z } from 'zod'

/** 1 MB (SI, as the UI shows sizes): below this a data amount needs `allowTiny: true`. */
export const TINY_BELOW_BYTES = 1_000_000

export const AllowTiny = z
  .boolean()
  .optional()
  .describe(
    'Data amounts are in bytes; one under 1 MB (1000000 bytes) is refused unless this is true, as it is most likely a size sent without its unit.',
  )

export const tinyMessage = (n: number) =>
  `${n} bytes is under 1 MB. Amounts are in bytes (1 GB = 1000000000): send the size in bytes, or set allowTiny: true if so small an amount is meant`

/** A refinement refusing each of `fields` under 1 MB, naming it, unless `allowTiny` is true. */
export function refuseTiny<T extends { allowTiny?: boolean | undefined }>(fields: readonly (keyof T)[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (value.allowTiny === true) return
    for (const field of fields) {
      const n = value[field]
      if (typeof n === 'number' && n < TINY_BELOW_BYTES)
        ctx.addIssue({ code: 'custom', path: [field as string], message: tinyMessage(n) })
    }
  }
}

/** The input without the flag, so it never reaches the domain or the store. */
export function withoutAllowTiny<T extends { allowTiny?: boolean | undefined }>(
  value: T,
): Omit<T, 'allowTiny'> {
  const { allowTiny: _, ...rest } = value
  return rest
}
