/** The portal's frame, phone first: a slim top bar with the ISP's name and logo and Log out, then one column. */
import type { Child } from 'hono/jsx'
import type { Brand } from '../ui/brand.js'
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { ActionForm } from '../ui/forms.js'

export interface PortalPageProps {
  title: string
  csrf: string
  brand: Brand
  flash?: Flash | undefined
  /** Pages whose figures change listen for the customer's own changes and refresh their `data-live` regions. */
  live?: boolean
  children?: Child
}

export function PortalPage(p: PortalPageProps) {
  const header = (
    <header class="portal-bar">
      <a class="brand" href="/portal">
        <BrandMark brand={p.brand} />
      </a>
      <ActionForm action="/portal/logout" csrf={p.csrf} submit="Log out" kind="secondary" />
    </header>
  )
  return (
    <PortalDocument title={p.title} brand={p.brand} header={header} flash={p.flash} live={p.live}>
      {p.children}
    </PortalDocument>
  )
}

/** The bar of a logged-out page: the name only. */
export const LoggedOutBar = ({ brand }: { brand: Brand }) => (
  <header class="portal-bar">
    <span class="brand">
      <BrandMark brand={brand} />
    </span>
  </header>
)

/** Every portal document: the ISP's name in the tab, and capd only in a small footer. */
export function PortalDocument(p: {
  title: string
  brand: Brand
  header: Child
  flash?: Flash | undefined
  live?: boolean | undefined
  children?: Child
}) {
  return (
    <Document
      title={p.title}
      site={p.brand.name}
      variant="portal"
      header={p.header}
      flash={p.flash}
      liveSource={p.live ? '/portal/events' : undefined}
      footer={<footer class="powered">Powered by capd</footer>}
    >
      {p.children}
    </Document>
  )
}

/** The logo (decorative: the name beside it says the same) and the name. */
const BrandMark = ({ brand }: { brand: Brand }) => (
  <>
    {brand.logoUrl ? <img class="brand-logo" src={brand.logoUrl} alt="" /> : null}
    <span class="brand-name">{brand.name}</span>
  </>
)
