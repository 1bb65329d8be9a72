/** The "New subscriber" page: its form, named by the page's heading. */
import { ActionForm } from '../ui/forms.js'
import { OperatorPage } from './layout.js'
import type { Frame } from './operator-kit.js'
import type { SubscriberChoices } from './subscriber-choices.js'
import { SubscriberFields } from './subscriber-fields.js'

export function NewSubscriberPage({ frame, choices }: { frame: Frame; choices: SubscriberChoices }) {
  return (
    <OperatorPage {...frame} title="New subscriber" section="subscribers">
      <p>
        <a href="/subscribers">All subscribers</a>
      </p>
      <h1 id="new-subscriber-title">New subscriber</h1>
      <section class="card">
        <ActionForm
          action="/subscribers"
          csrf={frame.csrf}
          submit="Create subscriber"
          labelledBy="new-subscriber-title"
          once
        >
          <SubscriberFields prefix="new" choices={choices} />
        </ActionForm>
      </section>
    </OperatorPage>
  )
}
