/**
 * Filling a refused form again: the page provides what was posted (from the flash), the one form
 * whose action matches passes it to its fields, and Field/Select/Checkbox show it over their own
 * values, with the problem of each bad field beside it. Every other form on the page renders as usual.
 */
import type { Child } from 'hono/jsx'
import { createContext, useContext } from 'hono/jsx'
import { type PostedForm, sameAction } from './form-refill.js'
import type { FieldError } from './form-refusal.js'

const PostedOnPage = createContext<PostedForm | undefined>(undefined)
const PostedInForm = createContext<PostedForm | undefined>(undefined)

/** Around a page: the form the last refused post came from, if any. */
export const RefillPage = ({ posted, children }: { posted: PostedForm | undefined; children?: Child }) => (
  <PostedOnPage.Provider value={posted}>{children}</PostedOnPage.Provider>
)

/** Around a form's fields: what was posted to `action`, for them alone. */
export function RefillForm({ action, children }: { action: string; children?: Child }) {
  const posted = useContext(PostedOnPage)
  const mine = posted && sameAction(posted.action, action) ? posted : undefined
  return <PostedInForm.Provider value={mine}>{children}</PostedInForm.Provider>
}

/** A text field's or select's value: what was typed, if this form was posted with it, else `own`. */
export function refilledValue<T>(name: string, own: T): T | string {
  const fields = useContext(PostedInForm)?.fields
  return fields && Object.hasOwn(fields, name) ? fields[name]! : own
}

/** A checkbox's state: as posted when this form was (unticked sends nothing), else `own`. */
export function refilledChecked(name: string, own: boolean | undefined): boolean | undefined {
  const fields = useContext(PostedInForm)?.fields
  return fields ? Object.hasOwn(fields, name) && fields[name] === 'on' : own
}

/** What is wrong with field `name`, if this form was refused for it (see form-check.ts). */
export function fieldProblem(name: string): string | undefined {
  const problems: FieldError[] = useContext(PostedInForm)?.problems ?? []
  return problems.find((p) => p.field === name)?.message
}
