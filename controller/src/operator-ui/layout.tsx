/** The operator UI's frame: top bar with the sections, who is logged in, and logout. */
import type { Child } from 'hono/jsx'
import { Document } from '../ui/document.js'
import type { Flash } from '../ui/flash.js'
import { ActionForm } from '../ui/forms.js'

export type Section = 'dashboard' | 'subscribers' | 'plans' | 'topup-plans' | 'agents' | 'invoices'

const SECTIONS: readonly { id: Section; href: string; label: string }[] = [
  { id: 'dashboard', href: '/', label: 'Dashboard' },
  { id: 'subscribers', href: '/subscribers', label: 'Subscribers' },
  { id: 'plans', href: '/plans', label: 'Plans' },
  { id: 'topup-plans', href: '/topup-plans', label: 'Top-up plans' },
  { id: 'agents', href: '/agents', label: 'Agents' },
  { id: 'invoices', href: '/invoices', label: 'Invoices' },
]

export interface OperatorPageProps {
  title: string
  section: Section
  username: string
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
          {SECTIONS.map((s) => (
            <li>
              <a href={s.href} aria-current={s.id === p.section ? 'page' : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="who">
        <span>{p.username}</span>
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
