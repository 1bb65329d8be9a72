/** The portal's frame, phone first: a slim top bar with the name and Log out, then one column. */
import type { Child } from 'hono/jsx'
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { ActionForm } from '../ui/forms.js'

export interface PortalPageProps {
  title: string
  csrf: string
  flash?: Flash | undefined
  /** Pages whose figures change listen for the customer's own changes and refresh their `data-live` regions. */
  live?: boolean
  children?: Child
}

export function PortalPage(p: PortalPageProps) {
  const header = (
    <header class="portal-bar">
      <a class="brand" href="/portal">
        capd
      </a>
      <ActionForm action="/portal/logout" csrf={p.csrf} submit="Log out" kind="secondary" />
    </header>
  )
  return (
    <Document
      title={p.title}
      variant="portal"
      header={header}
      flash={p.flash}
      liveSource={p.live ? '/portal/events' : undefined}
    >
      {p.children}
    </Document>
  )
}

/** The bar of a logged-out page: the name only. */
export const LoggedOutBar = () => (
  <header class="portal-bar">
    <span class="brand">capd</span>
  </header>
)
