/** Form pieces: every field has a visible label tied to it by id, hints are announced with the field. */
import type { Child } from 'hono/jsx'
import { CSRF_FIELD } from './csrf.js'
import type { Flash } from './flash.js'

export const CsrfField = ({ token }: { token: string }) => (
  <input type="hidden" name={CSRF_FIELD} value={token} />
)

export interface FieldProps {
  /** Unique on the page; the input's id and (unless `name` is given) its name. */
  id: string
  name?: string
  label: string
  type?: 'text' | 'password' | 'number' | 'email' | 'search'
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
  const hintId = p.hint ? `${p.id}-hint` : undefined
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <input
        id={p.id}
        name={p.name ?? p.id}
        type={p.type ?? 'text'}
        value={p.value}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        min={p.min}
        max={p.max}
        step={p.step}
        placeholder={p.placeholder}
        autofocus={p.autofocus}
        aria-describedby={hintId}
      />
      {p.hint ? (
        <p class="hint" id={hintId}>
          {p.hint}
        </p>
      ) : null}
    </div>
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
  const hintId = p.hint ? `${p.id}-hint` : undefined
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <select id={p.id} name={p.name ?? p.id} required={p.required} aria-describedby={hintId}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.label}
          </option>
        ))}
      </select>
      {p.hint ? (
        <p class="hint" id={hintId}>
          {p.hint}
        </p>
      ) : null}
    </div>
  )
}

export function Checkbox(p: { id: string; name?: string; label: string; checked?: boolean; hint?: string }) {
  const hintId = p.hint ? `${p.id}-hint` : undefined
  return (
    <div class="field checkbox">
      <input
        id={p.id}
        name={p.name ?? p.id}
        type="checkbox"
        value="on"
        checked={p.checked}
        aria-describedby={hintId}
      />
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={hintId}>
          {p.hint}
        </p>
      ) : null}
    </div>
  )
}

/** A form that changes state: POST, the CSRF field, and a submit button. */
export function ActionForm(p: {
  action: string
  csrf: string
  submit: string
  /** `danger` for retire/revoke, `secondary` for less important actions. */
  kind?: 'primary' | 'secondary' | 'danger'
  class?: string
  children?: Child
}) {
  return (
    <form method="post" action={p.action} class={p.class}>
      <CsrfField token={p.csrf} />
      {p.children}
      <button type="submit" class={`button ${p.kind ?? 'primary'}`}>
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
