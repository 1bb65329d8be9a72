/** A state-changing form in its own section, named by the section's heading (so it is findable by that name). */
import type { Child } from 'hono/jsx'
import { CsrfField } from './forms.js'

export interface NamedFormProps {
  /** Unique on the page: the heading's id is `<id>-title`. */
  id: string
  title: string
  action: string
  csrf: string
  submit: string
  kind?: 'primary' | 'secondary' | 'danger'
  /** Text between the heading and the form. */
  intro?: Child
  children?: Child
}

export function NamedForm(p: NamedFormProps) {
  const titleId = `${p.id}-title`
  return (
    <section class="card" aria-labelledby={titleId}>
      <h2 id={titleId}>{p.title}</h2>
      {p.intro}
      <form method="post" action={p.action} aria-labelledby={titleId}>
        <CsrfField token={p.csrf} />
        {p.children}
        <button type="submit" class={`button ${p.kind ?? 'primary'}`}>
          {p.submit}
        </button>
      </form>
    </section>
  )
}
