/** The operator UI's data amount field: a number box and, beside it, MB, GB or TB (see data-amount.ts). */
import { DATA_UNITS, dataAmountInput, unitFieldName } from './data-amount.js'
import { refilledValue } from './form-refill-context.js'

export interface DataAmountFieldProps {
  id: string
  name: string
  label: string
  /** The saved bytes, shown in a sensible unit; none = empty, with no unit chosen. */
  bytes?: number | undefined
  required?: boolean
  placeholder?: string
  hint?: string
}

export function DataAmountField(p: DataAmountFieldProps) {
  const unitName = unitFieldName(p.name)
  const saved = p.bytes === undefined ? undefined : dataAmountInput(p.bytes)
  const amount = refilledValue(p.name, saved?.amount)
  const unit = refilledValue(unitName, saved?.unit ?? '')
  const known = DATA_UNITS.some((u) => u === unit)
  const hintId = p.hint ? `${p.id}-hint` : undefined
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <div class="amount-unit">
        <input
          id={p.id}
          name={p.name}
          type="text"
          inputmode="decimal"
          value={amount}
          required={p.required}
          placeholder={p.placeholder}
          aria-describedby={hintId}
        />
        <select id={`${p.id}-unit`} name={unitName} required aria-label={`${p.label} (unit)`}>
          {known ? null : (
            <option value="" selected>
              Unit
            </option>
          )}
          {DATA_UNITS.map((u) => (
            <option value={u} selected={u === unit}>
              {u}
            </option>
          ))}
        </select>
      </div>
      {p.hint ? (
        <p class="hint" id={hintId}>
          {p.hint}
        </p>
      ) : null}
    </div>
  )
}
