/** The portal's login page. */
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { LoginCard } from '../ui/login-card.js'
import { LoggedOutBar } from './portal-layout.js'

export const PORTAL_LOGIN_ACTION = '/portal/login'

export function PortalLoginPage({ flash, login }: { flash?: Flash | undefined; login?: string }) {
  return (
    <Document title="Log in" variant="portal" header={<LoggedOutBar />}>
      <LoginCard
        heading="Log in"
        action={PORTAL_LOGIN_ACTION}
        name={{ id: 'login', label: 'Login', value: login }}
        flash={flash}
        wide
      />
    </Document>
  )
}
