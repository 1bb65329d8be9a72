/** "Send again" on a sent or failed message: the button, who sees it, and its post (needs 'subscribers'). */
import type { Hono } from 'hono'
import { sendAgain } from '../notify/send-again.js'
import type { Delivery } from '../store/entities.js'
import { formAction } from '../ui/form-action.js'
import { ActionForm } from '../ui/forms.js'
import { EVENT_LABELS } from './delivery-labels.js'
import type { OperatorEnv } from './operator-auth.js'
import { can, type Frame, type OperatorKit } from './operator-kit.js'

export const deliveryPath = (id: string) => `/notifications/${encodeURIComponent(id)}`

/** Whether the viewer gets the button: a sent or failed message, a role that may edit subscribers. */
export const mayResend = (f: Frame, d: Delivery) =>
  can(f, 'subscribers') && (d.status === 'sent' || d.status === 'failed')

export function ResendForm({ d, csrf }: { d: Delivery; csrf: string }) {
  return (
    <ActionForm
      action={`${deliveryPath(d.id)}/resend`}
      csrf={csrf}
      submit="Send again"
      submitLabel={`Send again: ${EVENT_LABELS[d.event]} to ${d.to}`}
      kind="secondary"
    />
  )
}

export function resendRoute(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  ui.post('/notifications/:id/resend', kit.action('subscribers'), (c) => {
    const id = c.req.param('id')
    // A refusal goes back to the message it was about; success shows the new one.
    return formAction(c, 'operator', deliveryPath(id), async () => {
      const again = await store.transact((tx) => sendAgain(tx, env, c.var.actor, id))
      kit.deps.outbox?.kick()
      return { message: 'The message is queued to be sent again.', to: deliveryPath(again.id) }
    })
  })
}
