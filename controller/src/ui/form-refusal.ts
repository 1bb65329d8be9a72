/**
 * A refused form's problems, one per field: `{ field, message }`, where `field` is the form
 * field's name and `message` a sentence written for the person who typed it (see form-check.ts).
 */
import { Refusal } from '../domain/refusal.js'
import { ApiError } from '../errors.js'

export interface FieldError {
  /** The form field's `name`. */
  field: string
  /** Plain language, shown beside the field: never a library's words. */
  message: string
}

/**
 * A 400 naming each bad field of a form. `message` ("Label: problem; …") is for logs and for a
 * caller that has no page to mark; pages show `problems` beside their fields (see formAction).
 */
export class FormRefusal extends ApiError {
  constructor(
    readonly problems: FieldError[],
    message: string,
  ) {
    super(400, 'invalid_request', message, problems)
    this.name = 'FormRefusal'
  }
}

/** One field's problem, as the form readers (form-values.ts) throw it. */
export const fieldError = (field: string, label: string, message: string) =>
  new FormRefusal([{ field, message }], `${label}: ${message}`)

/**
 * The fields `err` is about: a FormRefusal's problems, or a domain refusal's details (the API's
 * field names, which the forms use too). Anything else concerns no field.
 */
export function fieldErrorsOf(err: unknown): FieldError[] {
  if (err instanceof FormRefusal) return err.problems
  if (err instanceof Refusal && err.details) {
    return err.details.map((d) => ({ field: d.path, message: sentence(d.message) }))
  }
  return []
}

/**
 * "agent x does not exist" → "Agent x does not exist."; domain problems are written to follow a
 * label, a page shows them alone. A first word that is not a plain word ("ff02::1") keeps its case.
 */
export function sentence(text: string): string {
  const trimmed = text.trim()
  const capital = /^[a-z]+(?![\w:])/.test(trimmed)
    ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
    : trimmed
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}

/** The banner over a form whose fields are marked: the marks say what, the banner says where. */
export const checkFieldsText = (count: number) =>
  count === 1 ? 'Check the field marked below.' : `Check the ${count} fields marked below.`
