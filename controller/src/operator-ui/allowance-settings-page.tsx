/** The admin's allowance settings: which is drawn first by default, plan data or top-ups (a plan may choose its own). */
import type { Hono } from 'hono'
import { AllowanceSettingsBody } from '../api/settings-routes.js'
import { defaultDrawOrder, setDefaultDrawOrder } from '../domain/allowance-settings.js'
import { audit } from '../domain/audit.js'
import type { DrawOrder } from '../store/entities.js'
import { formAction } from '../ui/form-action.js'
import { FormCheck } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'
import { DRAW_ORDER_CHOICES } from './plan-terms-text.js'

const LABELS = { drawOrder: 'Use first' }

export function allowanceSettingsPage(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps

  ui.get('/settings/allowance', kit.pageFor('settings'), async (c) => {
    const order = await store.peek((tx) => defaultDrawOrder(tx))
    const f = frame(c)
    return c.html(
      <OperatorPage {...f} title="Data allowance settings" section="settings">
        <h1>Data allowance settings</h1>
        <DrawOrderForm order={order} csrf={f.csrf} />
      </OperatorPage>,
    )
  })

  ui.post('/settings/allowance', kit.action('settings'), (c) =>
    formAction(c, 'operator', '/settings/allowance', async () => {
      const form = await readForm(c)
      const check = new FormCheck()
      const input = check.done(
        check.schema(
          AllowanceSettingsBody,
          { drawOrder: form.drawOrder },
          { drawOrder: 'Choose plan data or top-ups.' },
          LABELS,
        ),
      )
      await store.transact(async (tx) => {
        await setDefaultDrawOrder(tx, env, input.drawOrder)
        await audit(tx, env, c.var.actor, 'settings.allowance', 'settings', 'allowance', input)
      })
      return { message: 'Allowance settings saved. Plans without their own choice use it from now on.' }
    }),
  )
}

function DrawOrderForm({ order, csrf }: { order: DrawOrder; csrf: string }) {
  return (
    <NamedForm
      id="allowance-settings"
      title="Which data is used first"
      action="/settings/allowance"
      csrf={csrf}
      submit="Save settings"
    >
      <Select
        id="default-draw-order"
        name="drawOrder"
        label={LABELS.drawOrder}
        value={order}
        options={DRAW_ORDER_CHOICES}
        hint="Usage is taken from the plan's data or from bought top-ups first (rolled-over data always goes first; among top-ups, the one expiring soonest). A plan can choose its own order."
      />
    </NamedForm>
  )
}
