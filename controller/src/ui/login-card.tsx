/** The login form in its card (name, password, "Log in", any message), and what it says on a refusal. */
import type { LoginResult } from '../auth/password-login.js'
import type { Flash } from './flash.js'
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
        <Field
          id={name.id}
          label={name.label}
          autocomplete="username"
          required
          value={name.value}
          autofocus
        />
        <Field id="password" label="Password" type="password" autocomplete="current-password" required />
        <button type="submit" class={wide ? 'button primary wide' : 'button primary'}>
          Log in
        </button>
      </form>
    </div>
  )
}

export const CROSS_SITE_LOGIN = 'Cross-site login attempts are refused.'

/** What the login page says, and with which status, when the password did not let the person in. */
export function loginRefusal(result: Exclude<LoginResult<unknown>, { outcome: 'in' }>, wrong: string) {
  return result.outcome === 'throttled'
    ? {
        status: 429 as const,
        text: `Too many failed logins. Try again in ${Math.ceil(result.waitSeconds / 60)} min.`,
      }
    : { status: 401 as const, text: wrong }
}
