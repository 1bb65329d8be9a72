/**
 * Checking a posted form so that every bad field is named at once: the one way a form refuses input.
 *
 *   const check = new FormCheck()
 *   const price = check.read(() => moneyField(form, 'price', 'Price', currency, { positive: false }))
 *   if (form.enabled === 'on' && !form.topUpPlanId)
 *     check.add(fieldError('topUpPlanId', 'Top-up plan', 'Choose a top-up plan.'))
 *   const plan = check.schema(CreatePlan, input, { name: textMessage('Enter a name.', 100) }, PLAN_LABELS)
 *   return check.done({ ...plan!, price: price! })   // one FormRefusal naming each bad field, or the value
 *
 * `read` runs a form-values.ts reader (or anything throwing fieldError) and notes its problem;
 * `schema` notes each zod issue against its field with the sentence given here, never zod's words.
 * formAction takes the refusal back to the page, and Field, Select, Checkbox and DataAmountField show
 * each message beside their field (see form-refill-context.tsx). A domain refusal made with
 * fieldRefusal(code, 'address', …) is marked beside `address` the same way, with no FormCheck.
 */
import type { z } from 'zod'
import { ApiError } from '../errors.js'
import { unitFieldName } from './data-amount.js'
import { type FieldError, FormRefusal } from './form-refusal.js'

/** Our sentence for any issue on a field, or one chosen by the issue (too short, too long…). */
export type IssueMessage = string | ((issue: z.core.$ZodIssue) => string)

/** Said when a problem is in no field the person can fix: a hidden field, or one the page never had. */
export const STALE_FORM = 'The form is out of date. Reload the page and try again.'

export class FormCheck {
  private readonly problems: FieldError[] = []
  private readonly described: string[] = []

  constructor(private readonly stale: string = STALE_FORM) {}

  /** `read()`'s value, or undefined with its field's problem noted. */
  read<T>(read: () => T): T | undefined {
    try {
      return read()
    } catch (err) {
      if (!(err instanceof FormRefusal)) throw err
      this.add(err)
      return undefined
    }
  }

  /** Notes a refusal's problems; a field keeps its first problem (the later ones follow from it). */
  add(refusal: FormRefusal): void {
    const fresh = refusal.problems.filter((p) => !this.has(p.field))
    this.problems.push(...fresh)
    if (fresh.length > 0) this.described.push(refusal.message)
  }

  /** Whether `field` has a problem; a data amount's unit problem (see data-amount.ts) is the amount's. */
  private has(field: string): boolean {
    return this.problems.some((p) => p.field === field || p.field === unitFieldName(field))
  }

  /**
   * The schema's output, or undefined with each issue noted against its field in `messages`' words
   * (`labels` name the fields in the refusal's own message). An issue about a field `messages` does
   * not know is no mistake a person can fix here: the form is refused at once as out of date.
   */
  schema<S extends z.ZodType>(
    schema: S,
    input: unknown,
    messages: Readonly<Record<string, IssueMessage>>,
    labels: Readonly<Record<string, string>> = {},
  ): z.output<S> | undefined {
    const result = schema.safeParse(input)
    if (result.success) return result.data
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? '')
      const message = Object.hasOwn(messages, field) ? messages[field] : undefined
      if (message === undefined) throw new ApiError(400, 'invalid_form', this.stale)
      const text = typeof message === 'string' ? message : message(issue)
      this.add(new FormRefusal([{ field, message: text }], `${labels[field] ?? field}: ${text}`))
    }
    return undefined
  }

  /** Throws one refusal naming every bad field, if there is any; else gives `value`. */
  done(): void
  done<T>(value: T | undefined): T
  done<T>(value?: T): T | undefined {
    if (this.problems.length > 0) throw new FormRefusal([...this.problems], this.described.join('; '))
    return value
  }

  /** `done` for values each read by `read`: none is undefined once every field was fine. */
  doneAll<T extends Record<string, unknown>>(values: T): { [K in keyof T]: Exclude<T[K], undefined> } {
    return this.done(values) as { [K in keyof T]: Exclude<T[K], undefined> }
  }
}

/** A name-like text field's sentences: empty, too long, or with characters that hide or forge text. */
export const textMessage =
  (empty: string, max: number): IssueMessage =>
  (issue) =>
    issue.code === 'too_big'
      ? `Use at most ${max} characters.`
      : issue.code === 'custom'
        ? 'Remove the invisible control characters (such as line breaks) from it.'
        : empty
