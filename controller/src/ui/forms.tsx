/** Form pieces: every field has a visible label tied to it by id; its problem (after a refusal) and hint are announced with it. */
import { randomUUID } from 'node:crypto'
import type { Child } from 'hono/jsx'
import { CSRF_FIELD } from './csrf.js'
import { describedBy, errorId, FieldErrorText } from './field-error.js'
import type { Flash } from './flash.js'
import { fieldProblem, RefillForm, refilledChecked, refilledValue } from './form-refill-context.js'
import { IDEMPOTENCY_FIELD } from './form-values.js'

export const CsrfField = ({ token }: { token: string }) => (
  <input type="hidden" name={CSRF_FIELD} value={token} />
)

/** A fresh key per rendering, so posting the same form twice has one effect (see runOnce). */
export const OnceField = () => <input type="hidden" name={IDEMPOTENCY_FIELD} value={randomUUID()} />

/** The id of a field's hint, for the field's `aria-describedby`; none without a hint. */
const hintId = (p: { id: string; hint?: string | undefined }) => (p.hint ? `${p.id}-hint` : undefined)

/** A field's hint, under it, announced with it (see hintId). */
function Hint(p: { id: string; hint?: string | undefined }) {
  return p.hint ? (
    <p class="hint" id={hintId(p)}>
      {p.hint}
    </p>
  ) : null
}

/** A control with its label (before it, or after a checkbox), its problem between them, and its hint. */
function Labelled(p: {
  id: string
  label: string
  hint?: string | undefined
  problem?: string | undefined
  checkbox?: boolean
  children: Child
}) {
  const label = <label for={p.id}>{p.label}</label>
  const problem = <FieldErrorText id={p.id} message={p.problem} />
  return (
    <div class={`${p.checkbox ? 'field checkbox' : 'field'}${p.problem ? ' invalid' : ''}`}>
      {p.checkbox ? null : label}
      {p.checkbox ? null : problem}
      {p.children}
      {p.checkbox ? label : null}
      {p.checkbox ? problem : null}
      <Hint id={p.id} hint={p.hint} />
    </div>
  )
}

/** A control's aria attributes: invalid and described by its problem when it has one, and by its hint. */
const aria = (p: { id: string; hint?: string | undefined }, problem: string | undefined) => ({
  'aria-invalid': problem ? ('true' as const) : undefined,
  'aria-describedby': describedBy(problem && errorId(p.id), hintId(p)),
})

export interface FieldProps {
  /** Unique on the page; the input's id and (unless `name` is given) its name. */
  id: string
  name?: string
  label: string
  type?: 'text' | 'password' | 'number' | 'email' | 'search' | 'tel' | 'time'
  value?: string | number
  required?: boolean
  hint?: string
  autocomplete?: string
  inputmode?: 'numeric' | 'decimal' | 'text'
  min?: number
  max?: number
  step?: string
  placeholder?: string
  autofocus?: boolean
}

export function Field(p: FieldProps) {
  // A password is never carried back (see form-refill.ts): the box stays empty.
  const value = p.type === 'password' ? p.value : refilledValue(p.name ?? p.id, p.value)
  const problem = fieldProblem(p.name ?? p.id)
  return (
    <Labelled id={p.id} label={p.label} hint={p.hint} problem={problem}>
      <input
        id={p.id}
        name={p.name ?? p.id}
        type={p.type ?? 'text'}
        value={value}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        min={p.min}
        max={p.max}
        step={p.step}
        placeholder={p.placeholder}
        autofocus={p.autofocus}
        {...aria(p, problem)}
      />
    </Labelled>
  )
}

/** A multi-line text box (a postal address, notes, a message); refilled and marked after a refusal like a field. */
export function TextArea(p: {
  id: string
  name?: string
  label: string
  value?: string | undefined
  rows?: number
  maxlength?: number
  hint?: string
  required?: boolean
}) {
  const problem = fieldProblem(p.name ?? p.id)
  return (
    <Labelled id={p.id} label={p.label} hint={p.hint} problem={problem}>
      <textarea
        id={p.id}
        name={p.name ?? p.id}
        rows={p.rows ?? 3}
        maxlength={p.maxlength}
        required={p.required}
        {...aria(p, problem)}
      >
        {refilledValue(p.name ?? p.id, p.value) ?? ''}
      </textarea>
    </Labelled>
  )
}

export interface SelectProps {
  id: string
  name?: string
  label: string
  options: readonly { value: string; label: string }[]
  value?: string
  required?: boolean
  hint?: string
}

export function Select(p: SelectProps) {
  const value = refilledValue(p.name ?? p.id, p.value)
  const problem = fieldProblem(p.name ?? p.id)
  return (
    <Labelled id={p.id} label={p.label} hint={p.hint} problem={problem}>
      <select id={p.id} name={p.name ?? p.id} required={p.required} {...aria(p, problem)}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    </Labelled>
  )
}

export function Checkbox(p: {
  id: string
  name?: string
  label: string
  checked?: boolean
  hint?: string
  /** Shown but not changeable (the hint should say why); a disabled box is never posted. */
  disabled?: boolean
}) {
  const problem = fieldProblem(p.name ?? p.id)
  return (
    <Labelled id={p.id} label={p.label} hint={p.hint} problem={problem} checkbox>
      <input
        id={p.id}
        name={p.name ?? p.id}
        type="checkbox"
        value="on"
        // Not posted, so a refused post says nothing of it: it shows what is saved.
        checked={p.disabled ? p.checked : refilledChecked(p.name ?? p.id, p.checked)}
        disabled={p.disabled}
        {...aria(p, problem)}
      />
    </Labelled>
  )
}

export interface ActionFormProps {
  action: string
  csrf: string
  submit: string
  /** The button's name for assistive technology when its text alone is ambiguous (a "Revoke" per row). */
  submitLabel?: string
  /** `danger` for retire/revoke, `secondary` for less important actions. */
  kind?: 'primary' | 'secondary' | 'danger'
  class?: string
  /** The id of the heading that names the form. */
  labelledBy?: string
  /** Adds a fresh idempotency key (see OnceField). */
  once?: boolean
  children?: Child
}

/** A form that changes state: POST, the CSRF field, and a submit button; refilled after a refusal (see form-refill-context.tsx). */
export function ActionForm(p: ActionFormProps) {
  return (
    <form method="post" action={p.action} class={p.class} aria-labelledby={p.labelledBy}>
      <CsrfField token={p.csrf} />
      {p.once ? <OnceField /> : null}
      <RefillForm action={p.action}>{p.children}</RefillForm>
      <button type="submit" class={`button ${p.kind ?? 'primary'}`} aria-label={p.submitLabel}>
        {p.submit}
      </button>
    </form>
  )
}

/** The message a previous action left (see flash.ts): announced to screen readers when it appears. */
export function FlashNotice({ flash }: { flash: Flash | undefined }) {
  if (!flash) return null
  return (
    <div class={`notice ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
      {flash.text}
    </div>
  )
}
