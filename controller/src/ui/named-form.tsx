/** A state-changing form in its own section, named by the section's heading (so it is findable by that name). */
import type { Child } from 'hono/jsx'
import { ActionForm, type ActionFormProps } from './forms.js'

export interface NamedFormProps extends Omit<ActionFormProps, 'labelledBy' | 'class' | 'submitLabel'> {
  /** Unique on the page: the heading's id is `<id>-title`. */
  id: string
  title: string
  /** Text between the heading and the form. */
  intro?: Child
}

export function NamedForm({ id, title, intro, ...form }: NamedFormProps) {
  const titleId = `${id}-title`
  return (
    <section class="card" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      {intro}
      <ActionForm {...form} labelledBy={titleId} />
    </section>
  )
}
