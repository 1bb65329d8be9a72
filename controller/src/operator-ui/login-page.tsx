/** The operator login form. */
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { Field, FlashNotice } from '../ui/forms.js'

export function LoginPage({ next, flash, username }: { next: string; flash?: Flash; username?: string }) {
  return (
    <Document title="Log in" variant="operator">
      <div class="login card">
        <h1>capd operator login</h1>
        <FlashNotice flash={flash} />
        <form method="post" action={`/login?next=${encodeURIComponent(next)}`}>
          <Field id="username" label="Username" autocomplete="username" required value={username} autofocus />
          <Field id="password" label="Password" type="password" autocomplete="current-password" required />
          <button type="submit" class="button primary">
            Log in
          </button>
        </form>
      </div>
    </Document>
  )
}
