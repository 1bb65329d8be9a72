/**
 * A data amount as the operator UI takes it: a number in one box and MB, GB or TB chosen beside it
 * (SI, as the UI shows sizes: 1 GB = 1,000,000,000 bytes). A bare number is never taken as bytes.
 */
import { formatBytes } from '@capd/protocol'
import { type FormFields, fieldError } from './form-values.js'

export const DATA_UNITS = ['MB', 'GB', 'TB'] as const
export type DataUnit = (typeof DATA_UNITS)[number]

const UNIT_BYTES: Record<DataUnit, bigint> = { MB: 10n ** 6n, GB: 10n ** 9n, TB: 10n ** 12n }

/** The select beside the number box `name`. */
export const unitFieldName = (name: string) => `${name}Unit`

/** Digits, an optional fraction, and optionally one of the units typed after it ("5", "1.5", "5 GB"). */
const TYPED = /^(\d{1,16})(?:\.(\d{1,12}))?(?:\s*([a-z]+))?$/i

const asUnit = (text: string | undefined): DataUnit | undefined =>
  DATA_UNITS.find((u) => u.toLowerCase() === text?.trim().toLowerCase())

/**
 * The bytes of the amount in field `name` and its unit, or a 400 naming the field by `label`.
 * `minBytes` refuses smaller amounts; an empty box is refused, or gives `empty` when one is given.
 */
export function dataAmountField(
  form: FormFields,
  name: string,
  label: string,
  opts: { minBytes: number; empty?: number },
): number {
  const typed = form[name]?.trim() ?? ''
  if (typed === '') {
    if (opts.empty !== undefined) return opts.empty
    throw fieldError(label, 'this field is required')
  }
  if (/^\d{17,}(\.\d*)?$/.test(typed)) throw fieldError(label, `${shown(typed)} is too large`)
  const match = TYPED.exec(typed)
  if (!match) throw fieldError(label, `"${shown(typed)}" is not a number: type a number such as 5 or 1.5`)
  const [, whole = '', fraction = '', typedUnit] = match
  const chosen = form[unitFieldName(name)]?.trim() ?? ''
  const unit = unitOf(label, typedUnit, chosen)
  const scale = 10n ** BigInt(fraction.length)
  const scaled = (BigInt(whole) * scale + BigInt(fraction || '0')) * UNIT_BYTES[unit]
  if (scaled % scale !== 0n)
    throw fieldError(label, `${typed} ${unit} is not a whole number of bytes: use fewer decimal places`)
  const bytes = scaled / scale
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw fieldError(label, `${typed} ${unit} is too large`)
  if (bytes < BigInt(opts.minBytes)) throw fieldError(label, `must be at least ${formatBytes(opts.minBytes)}`)
  return Number(bytes)
}

/** The unit chosen beside the box, or typed in it; both given, they must agree. */
function unitOf(label: string, typed: string | undefined, chosen: string): DataUnit {
  const offered = 'choose its unit, MB, GB or TB'
  if (typed !== undefined && asUnit(typed) === undefined)
    throw fieldError(label, `"${shown(typed)}" is not a unit here: type only the number and ${offered}`)
  if (chosen !== '' && asUnit(chosen) === undefined)
    throw fieldError(label, `"${shown(chosen)}" is not a unit here: ${offered}`)
  const fromTyped = asUnit(typed)
  const fromChosen = asUnit(chosen)
  if (fromTyped && fromChosen && fromTyped !== fromChosen)
    throw fieldError(
      label,
      `${fromTyped} was typed but ${fromChosen} chosen as the unit: type only the number`,
    )
  const unit = fromChosen ?? fromTyped
  if (!unit) throw fieldError(label, `a number alone is not an amount: ${offered} beside it`)
  return unit
}

/** Typed text as a refusal quotes it: short, so a pasted essay does not fill the page. */
const shown = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text)

/** How an edit form shows `bytes`: in the largest unit it reaches (MB below 1 MB), exactly. */
export function dataAmountInput(bytes: number): { amount: string; unit: DataUnit } {
  const n = BigInt(bytes)
  const unit: DataUnit = n >= UNIT_BYTES.TB ? 'TB' : n >= UNIT_BYTES.GB ? 'GB' : 'MB'
  const per = UNIT_BYTES[unit]
  const digits = String(per).length - 1
  const fraction = String(n % per)
    .padStart(digits, '0')
    .replace(/0+$/, '')
  return { amount: fraction ? `${n / per}.${fraction}` : String(n / per), unit }
}
