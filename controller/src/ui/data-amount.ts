/**
 * A data amount as the operator UI takes it: a number in one box and MB, GB or TB chosen beside it
 * (SI, as the UI shows sizes: 1 GB = 1,000,000,000 bytes). A bare number is never taken as bytes.
 */
import { formatBytes } from '@capd/protocol'
import { fieldError } from './form-refusal.js'
import type { FormFields } from './form-values.js'

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
 * The bytes of the amount in field `name` and its unit, or a refusal about the box (the number) or
 * the unit beside it. `minBytes` refuses smaller amounts; an empty box is refused, or gives `empty`.
 */
export function dataAmountField(
  form: FormFields,
  name: string,
  label: string,
  opts: { minBytes: number; empty?: number },
): number {
  const refuse = (message: string, field = name) => fieldError(field, label, message)
  const typed = form[name]?.trim() ?? ''
  if (typed === '') {
    if (opts.empty !== undefined) return opts.empty
    throw refuse('Enter the data amount as a number, e.g. 5.')
  }
  const tooLarge = 'This amount is too large.'
  if (/^\d{17,}(\.\d*)?$/.test(typed)) throw refuse(tooLarge)
  const match = TYPED.exec(typed)
  if (!match) throw refuse('Enter the data amount as a number, e.g. 5 or 1.5.')
  const [, whole = '', fraction = '', typedUnit] = match
  const unit = unitOf(refuse, typedUnit, form[unitFieldName(name)]?.trim() ?? '', unitFieldName(name))
  const scale = 10n ** BigInt(fraction.length)
  const scaled = (BigInt(whole) * scale + BigInt(fraction || '0')) * UNIT_BYTES[unit]
  if (scaled % scale !== 0n) throw refuse(`Use fewer decimal places: ${unit} counts whole bytes.`)
  const bytes = scaled / scale
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw refuse(tooLarge)
  if (bytes < BigInt(opts.minBytes)) throw refuse(`Enter at least ${formatBytes(opts.minBytes)}.`)
  return Number(bytes)
}

/** The unit chosen beside the box, or typed in it; both given, they must agree. */
function unitOf(
  refuse: (message: string, field?: string) => Error,
  typed: string | undefined,
  chosen: string,
  unitField: string,
): DataUnit {
  if (typed !== undefined && asUnit(typed) === undefined)
    throw refuse('Type only the number here, and choose its unit (MB, GB or TB) beside it.')
  if (chosen !== '' && asUnit(chosen) === undefined) throw refuse('Choose a unit: MB, GB or TB.', unitField)
  const fromTyped = asUnit(typed)
  const fromChosen = asUnit(chosen)
  if (fromTyped && fromChosen && fromTyped !== fromChosen)
    throw refuse(`${fromTyped} was typed but ${fromChosen} chosen as the unit: type only the number.`)
  const unit = fromChosen ?? fromTyped
  if (!unit) throw refuse('Choose a unit: MB, GB or TB.', unitField)
  return unit
}

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
