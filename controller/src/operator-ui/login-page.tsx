/** The operator login page. */
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { LoginCard } from '../ui/login-card.js'

/** The form's action: the login, then back to `next`. */
export const loginAction = (next: string) => `/login?next=${encodeURIComponent(next)}`

export function LoginPage({ next, flash, username }: { next: string; flash?: Flash; username?: string }) {
  return (
    <Document title="Log in" variant="operator">
      <LoginCard
        heading="capd operator login"
        action={loginAction(next)}
        name={{ id: 'username', label: 'Username', value: username }}
        flash={flash}
      />
    </Document>
  )
}
