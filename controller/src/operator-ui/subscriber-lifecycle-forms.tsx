/** The subscriber page's suspend or resume form and the link to delete, for roles that may. */
import type { Subscriber } from '../store/entities.js'
import { Field } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'

export function SubscriberLifecycleForms({ sub, csrf }: { sub: Subscriber; csrf: string }) {
  const base = `/subscribers/${encodeURIComponent(sub.id)}`
  return (
    <>
      {sub.suspension ? (
        <NamedForm
          id="resume"
          title="Resume"
          action={`${base}/resume`}
          csrf={csrf}
          submit="Resume subscriber"
          intro={<p>The normal limit reaches the router at once.</p>}
        />
      ) : (
        <NamedForm
          id="suspend"
          title="Suspend"
          action={`${base}/suspend`}
          csrf={csrf}
          submit="Suspend subscriber"
          kind="danger"
          intro={<p>Blocked at the router whatever data is left, until resumed. No top-ups can be bought.</p>}
        >
          <Field
            id="suspend-reason"
            name="reason"
            label="Reason"
            required
            placeholder="Unpaid invoice INV-2026-000012"
            hint="The customer reads it in the portal."
          />
        </NamedForm>
      )}
      <section class="card" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete</h2>
        <p>Removes the subscriber from its router, the portal and the lists. Its bills are kept.</p>
        {/* A link to a confirmation: a deleted subscriber cannot come back, so one click is not enough. */}
        <a class="button danger" href={`${base}/delete`}>
          Delete subscriber…
        </a>
      </section>
    </>
  )
}
