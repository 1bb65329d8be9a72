/** The operator UI's data amount field: a number box and, beside it, MB, GB or TB (see data-amount.ts). */
import { DATA_UNITS, type DataUnit, dataAmountInput, unitFieldName } from './data-amount.js'
import { describedBy, errorId, FieldErrorText } from './field-error.js'
import { fieldProblem, refilledValue } from './form-refill-context.js'

export interface DataAmountFieldProps {
  id: string
  name: string
  label: string
  /** The saved bytes, shown in a sensible unit; none = empty, with no unit chosen. */
  bytes?: number | undefined
  required?: boolean
  placeholder?: string
  hint?: string
  /** The unit chosen when there is no saved amount (an optional amount: its unit is never missing). */
  defaultUnit?: DataUnit
}

export function DataAmountField(p: DataAmountFieldProps) {
  const unitName = unitFieldName(p.name)
  const saved = p.bytes === undefined ? undefined : dataAmountInput(p.bytes)
  const amount = refilledValue(p.name, saved?.amount)
  const unit = refilledValue(unitName, saved?.unit ?? p.defaultUnit ?? '')
  const known = DATA_UNITS.some((u) => u === unit)
  const hintId = p.hint ? `${p.id}-hint` : undefined
  // One message beside the pair, about the number or the unit; the control at fault is marked.
  const numberProblem = fieldProblem(p.name)
  const unitProblem = fieldProblem(unitName)
  const problem = numberProblem ?? unitProblem
  const problemId = problem ? errorId(p.id) : undefined
  return (
    <div class={problem ? 'field invalid' : 'field'}>
      <label for={p.id}>{p.label}</label>
      <FieldErrorText id={p.id} message={problem} />
      <div class="amount-unit">
        <input
          id={p.id}
          name={p.name}
          type="text"
          inputmode="decimal"
          value={amount}
          required={p.required}
          placeholder={p.placeholder}
          aria-invalid={numberProblem ? 'true' : undefined}
          aria-describedby={describedBy(problemId, hintId)}
        />
        <select
          id={`${p.id}-unit`}
          name={unitName}
          required
          aria-label={`${p.label} (unit)`}
          aria-invalid={unitProblem && !numberProblem ? 'true' : undefined}
          aria-describedby={problemId}
        >
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
