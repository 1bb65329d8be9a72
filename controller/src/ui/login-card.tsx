/** The login form in its card (name, password, "Log in", any message), and what it says on a refusal. */
import type { z } from 'zod'
import type { LoginResult } from '../auth/password-login.js'
import type { Flash } from './flash.js'
import { FormCheck, type IssueMessage } from './form-check.js'
import { RefillForm, RefillPage } from './form-refill-context.js'
import { checkFieldsText, type FieldError, FormRefusal } from './form-refusal.js'
import type { FormFields } from './form-values.js'
import { Field, FlashNotice } from './forms.js'

export interface LoginCardProps {
  heading: string
  action: string
  /** The name field: "Username" for operators, "Login" for customers; `value` keeps what was typed. */
  name: { id: string; label: string; value?: string | undefined }
  flash?: Flash | undefined
  /** A full-width button (the portal, phone first). */
  wide?: boolean
}

export function LoginCard({ heading, action, name, flash, wide }: LoginCardProps) {
  return (
    <div class="login card">
      <h1>{heading}</h1>
      <FlashNotice flash={flash} />
      <form method="post" action={action}>
        {/* A field left empty is marked beside it (see loginFields); the password never comes back. */}
        <RefillPage posted={flash?.form}>
          <RefillForm action={action}>
            <Field
              id={name.id}
              label={name.label}
              autocomplete="username"
              required
              value={name.value}
              autofocus
            />
            <Field id="password" label="Password" type="password" autocomplete="current-password" required />
          </RefillForm>
        </RefillPage>
        <button type="submit" class={wide ? 'button primary wide' : 'button primary'}>
          Log in
        </button>
      </form>
    </div>
  )
}

export const CROSS_SITE_LOGIN = 'Cross-site login attempts are refused.'

/** "Enter your login." for an empty box, a length for an overlong one. */
export const loginMessage =
  (empty: string): IssueMessage =>
  (issue) =>
    issue.code === 'too_big' ? 'Use at most 200 characters.' : empty

/**
 * The login form's fields, or the flash that marks each one left empty or too long (a wrong
 * password is no one field's fault, and is said in the banner alone).
 */
export function loginFields<S extends z.ZodType>(
  schema: S,
  fields: FormFields,
  messages: Readonly<Record<string, IssueMessage>>,
  action: string,
): { value: z.output<S> } | { refused: Flash } {
  const check = new FormCheck()
  try {
    return { value: check.done(check.schema(schema, fields, messages)) }
  } catch (err) {
    if (!(err instanceof FormRefusal)) throw err
    const problems: FieldError[] = err.problems
    return { refused: { kind: 'error', text: checkFieldsText(problems.length), form: { action, problems } } }
  }
}

/** What the login page says, and with which status, when the password did not let the person in. */
export function loginRefusal(result: Exclude<LoginResult<unknown>, { outcome: 'in' }>, wrong: string) {
  return result.outcome === 'throttled'
    ? {
        status: 429 as const,
        text: `Too many failed logins. Try again in ${Math.ceil(result.waitSeconds / 60)} min.`,
      }
    : { status: 401 as const, text: wrong }
}
