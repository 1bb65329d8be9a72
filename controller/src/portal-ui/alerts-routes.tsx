/** The Alerts page: the customer's own choices of how they hear about their data and their money. */
import type { Hono } from 'hono'
import { z } from 'zod'
import { alertChoicesOf, setAlertChoices } from '../domain/alert-choices.js'
import { ApiError } from '../errors.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import { type AlertChoices, DEFAULT_NOTIFY_AT_PERCENT, type Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { CSRF_FIELD } from '../ui/csrf.js'
import { formAction } from '../ui/form-action.js'
import { ALERTS_PATH, AlertsForm, hearsAboutUsage, NO_USAGE_ALERTS } from './alerts-form.js'
import { readPortalForm, STALE_FORM } from './portal-form.js'
import { PortalPage } from './portal-layout.js'
import { type PortalPageKit, portalFrame } from './portal-page-auth.js'

// An unticked (or disabled) checkbox is not sent at all; a ticked one sends "on".
const box = z.literal('on', { error: STALE_FORM }).optional()
const AlertsPost = z.strictObject({ [CSRF_FIELD]: z.string(), email: box, sms: box, receipts: box })

async function ownSubscriber(tx: Tx, id: string): Promise<Subscriber> {
  const sub = await tx.subscribers.get(id)
  if (!sub) throw new ApiError(401, 'unauthorized', 'log in to the portal first')
  return sub
}

/**
 * The choices the post makes. A box whose contact is missing is shown disabled and so never
 * posted: its choice stays as it was rather than turning off (the operator may add the contact later).
 */
function posted(form: z.output<typeof AlertsPost>, sub: Subscriber): AlertChoices {
  const current = alertChoicesOf(sub)
  const pick = (key: keyof AlertChoices, contact: string | undefined) =>
    form[key] === 'on' || (!contact && current[key])
  return {
    email: pick('email', sub.email),
    sms: pick('sms', sub.phone),
    receipts: pick('receipts', sub.email),
  }
}

export function alertsRoutes(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  const { store, env } = kit.deps

  ui.get('/alerts', kit.page, async (c) => {
    const { sub, notifyAtPercent } = await store.peek(async (tx) => {
      const found = await ownSubscriber(tx, c.var.subscriberId)
      const plan = await tx.plans.get(found.planId)
      return { sub: found, notifyAtPercent: plan?.notifyAtPercent ?? DEFAULT_NOTIFY_AT_PERCENT }
    })
    return c.html(
      <PortalPage title="Alerts" {...portalFrame(c)}>
        <h1 id="alerts-title">Alerts</h1>
        <AlertsForm
          choices={alertChoicesOf(sub)}
          email={sub.email}
          phone={sub.phone}
          notifyAtPercent={notifyAtPercent}
          channels={env.channels ?? new Set()}
          csrf={c.var.session.csrfToken}
        />
        <p>
          <a href="/portal">Back to your data</a>
        </p>
      </PortalPage>,
    )
  })

  ui.post('/alerts', kit.action, (c) =>
    formAction(c, 'portal', ALERTS_PATH, async () => {
      const form = await readPortalForm(c, AlertsPost, {
        email: STALE_FORM,
        sms: STALE_FORM,
        receipts: STALE_FORM,
      })
      const sub = await store.transact(async (tx) => {
        const current = await ownSubscriber(tx, c.var.subscriberId)
        return setAlertChoices(tx, env, c.var.actor, current.id, posted(form, current))
      })
      const contact = { email: sub.email, phone: sub.phone }
      return {
        message: hearsAboutUsage(alertChoicesOf(sub), contact)
          ? 'Alerts saved.'
          : `Alerts saved. Usage alerts are off: ${NO_USAGE_ALERTS}`,
      }
    }),
  )
}
