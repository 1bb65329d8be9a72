/** An action form in its own section, named by the section's heading (so it is a landmark people can find). */
import { randomUUID } from 'node:crypto'
import type { Child } from 'hono/jsx'
import { CsrfField } from '../ui/forms.js'

export const IDEMPOTENCY_FIELD = 'idempotencyKey'

export function SectionForm(p: {
  /** Unique on the page; the heading's id is `<id>-title`. */
  id: string
  title: string
  action: string
  csrf: string
  submit: string
  /** Adds a fresh key per rendering, so posting the same form twice has one effect. */
  once?: boolean
  children?: Child
}) {
  const titleId = `${p.id}-title`
  return (
    <section class="card" aria-labelledby={titleId}>
      <h2 id={titleId}>{p.title}</h2>
      <form method="post" action={p.action} aria-labelledby={titleId}>
        <CsrfField token={p.csrf} />
        {p.once ? <input type="hidden" name={IDEMPOTENCY_FIELD} value={randomUUID()} /> : null}
        {p.children}
        <button type="submit" class="button primary">
          {p.submit}
        </button>
      </form>
    </section>
  )
}
