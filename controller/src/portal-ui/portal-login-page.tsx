/** The portal's login form. */
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { Field, FlashNotice } from '../ui/forms.js'
import { LoggedOutBar } from './portal-layout.js'

export function PortalLoginPage({ flash, login }: { flash?: Flash | undefined; login?: string }) {
  return (
    <Document title="Log in" variant="portal" header={<LoggedOutBar />}>
      <div class="login card">
        <h1>Log in</h1>
        <FlashNotice flash={flash} />
        <form method="post" action="/portal/login">
          <Field id="login" label="Login" autocomplete="username" required value={login} autofocus />
          <Field id="password" label="Password" type="password" autocomplete="current-password" required />
          <button type="submit" class="button primary wide">
            Log in
          </button>
        </form>
      </div>
    </Document>
  )
}
