/** The operator UI's frame: top bar with the sections, who is logged in, and logout. */
import type { Child } from 'hono/jsx'
import { may, type Permission, type Role } from '../auth/roles.js'
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { ActionForm } from '../ui/forms.js'

export type Section =
  | 'dashboard'
  | 'subscribers'
  | 'plans'
  | 'topup-plans'
  | 'agents'
  | 'invoices'
  | 'orders'
  | 'notifications'
  | 'audit'
  | 'staff'
  | 'settings'
  | 'account'
  | 'settings'

/** `only`: shown to roles with that permission (the server refuses the rest anyway). */
const SECTIONS: readonly { id: Section; href: string; label: string; only?: Permission }[] = [
  { id: 'dashboard', href: '/', label: 'Dashboard' },
  { id: 'subscribers', href: '/subscribers', label: 'Subscribers' },
  { id: 'plans', href: '/plans', label: 'Plans' },
  { id: 'topup-plans', href: '/topup-plans', label: 'Top-up plans' },
  { id: 'agents', href: '/agents', label: 'Agents' },
  { id: 'invoices', href: '/invoices', label: 'Invoices' },
  { id: 'orders', href: '/orders', label: 'Orders' },
  { id: 'notifications', href: '/notifications', label: 'Notifications' },
  { id: 'audit', href: '/audit', label: 'Audit log' },
  { id: 'staff', href: '/staff', label: 'Staff', only: 'staff' },
  { id: 'settings', href: '/settings', label: 'Settings', only: 'settings' },
]

export interface OperatorPageProps {
  title: string
  section: Section
  username: string
  role: Role
  csrf: string
  flash?: Flash | undefined
  /** Pages with changing figures listen for changes and refresh their `data-live` regions. */
  live?: boolean
  children?: Child
}

export function OperatorPage(p: OperatorPageProps) {
  const header = (
    <header class="topbar">
      <a class="brand" href="/">
        capd
      </a>
      <nav aria-label="Sections">
        <ul>
          {SECTIONS.filter((s) => !s.only || may(p.role, s.only)).map((s) => (
            <li>
              <a href={s.href} aria-current={s.id === p.section ? 'page' : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="who">
        <a
          href="/account/password"
          title="Your account: change your password"
          aria-current={p.section === 'account' ? 'page' : undefined}
        >
          {`${p.username} (${p.role})`}
        </a>
        <ActionForm action="/logout" csrf={p.csrf} submit="Log out" kind="secondary" />
      </div>
    </header>
  )
  return (
    <Document
      title={p.title}
      variant="operator"
      header={header}
      flash={p.flash}
      liveSource={p.live ? '/events' : undefined}
    >
      {p.children}
    </Document>
  )
}
