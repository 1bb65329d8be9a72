/** The portal's login page. */
import type { Brand } from '../ui/brand.js'
import type { Flash } from '../ui/flash.js'
import { LoginCard } from '../ui/login-card.js'
import { LoggedOutBar, PortalDocument } from './portal-layout.js'

export const PORTAL_LOGIN_ACTION = '/portal/login'

export function PortalLoginPage({
  flash,
  login,
  brand,
}: {
  flash?: Flash | undefined
  login?: string
  brand: Brand
}) {
  return (
    <PortalDocument title="Log in" brand={brand} header={<LoggedOutBar brand={brand} />}>
      <LoginCard
        heading="Log in"
        action={PORTAL_LOGIN_ACTION}
        name={{ id: 'login', label: 'Login', value: login }}
        flash={flash}
        wide
      />
    </PortalDocument>
  )
}
