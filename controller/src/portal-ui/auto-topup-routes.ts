/**
 * The customer's auto top-up settings, when the operator allows it: enabled, which plan, how many
 * per period (1–10), the spend limit. The operator's other settings stay; the rule then runs as
 * after the JSON API's PUT.
 */
import type { Hono } from 'hono'
import { z } from 'zod'
import { runAutoTopUp, setAutoTopUp } from '../domain/auto-topup.js'
import { requireActiveTopUpPlan } from '../domain/plans.js'
import { Refusal } from '../domain/refusal.js'
import { ApiError } from '../errors.js'
import type { PortalEnv } from '../portal/portal-auth.js'
import type { AutoTopUp } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { CSRF_FIELD } from '../ui/csrf.js'
import { formAction } from '../ui/form-action.js'
import { fieldError } from '../ui/form-refusal.js'
import { moneyValue } from '../ui/form-values.js'
import { bytes } from '../ui/format.js'
import { CUSTOMER_MAX_PER_PERIOD } from './auto-topup-form.js'
import { readPortalForm, STALE_FORM } from './portal-form.js'
import type { PortalPageKit } from './portal-page-auth.js'

const MAX_MESSAGE = `Enter a whole number from 1 to ${CUSTOMER_MAX_PER_PERIOD}.`
const CHOOSE_PLAN = 'Choose a top-up plan.'
const SPEND_CAP_MESSAGE = 'Enter an amount such as 10.00, or leave it empty for no limit.'

/** The spend limit typed, in minor units; empty = none. Throws the field's problem. */
function spendCapOf(text: string, currency: string): number | undefined {
  if (text === '') return undefined
  const amount = moneyValue(text, currency, 'spendCap', SPEND_LABEL).amount
  if (amount <= 0) throw fieldError('spendCap', SPEND_LABEL, SPEND_CAP_MESSAGE)
  return amount
}
const SPEND_LABEL = 'Spend limit per period'

const AutoTopUpForm = z.strictObject({
  [CSRF_FIELD]: z.string(),
  // An unticked checkbox is not sent at all.
  enabled: z.literal('on', { error: STALE_FORM }).optional(),
  // Absent when nothing is on offer (an empty select sends nothing).
  topUpPlanId: z.string({ error: STALE_FORM }).max(100, STALE_FORM).default(''),
  maxPerPeriod: z
    .string({ error: MAX_MESSAGE })
    .trim()
    .regex(/^\d{1,3}$/, MAX_MESSAGE)
    .transform(Number)
    .refine((n) => n >= 1 && n <= CUSTOMER_MAX_PER_PERIOD, MAX_MESSAGE),
  // Empty = no spend limit. Read as money below, in the store's currency.
  spendCap: z.string({ error: STALE_FORM }).trim().max(30, SPEND_CAP_MESSAGE).default(''),
})

const notAllowed = () =>
  new ApiError(403, 'forbidden', 'Your provider manages your auto top-up; it cannot be changed here.')

/** The subscriber's settings, if the operator lets them change them; else a 403. */
async function changeable(tx: Tx, id: string): Promise<AutoTopUp> {
  const settings = (await tx.subscribers.get(id))?.autoTopUp
  if (!settings?.customerMayChange) throw notAllowed()
  return settings
}

/** Only a plan on offer may be chosen, switched on or not: a made-up id is never saved. */
async function offeredPlan(tx: Tx, id: string): Promise<void> {
  try {
    await requireActiveTopUpPlan(tx, id)
  } catch (err) {
    if (err instanceof Refusal) {
      const gone = 'That top-up plan is no longer on offer. Choose another one.'
      throw new Refusal(err.code, gone, [{ path: 'topUpPlanId', message: gone }])
    }
    throw err
  }
}

export function autoTopUpRoutes(ui: Hono<PortalEnv>, kit: PortalPageKit): void {
  const { store, env } = kit.deps

  ui.post('/auto-topup', kit.action, async (c) => {
    const id = c.var.subscriberId
    // Refused as a page, not a message on the home page: there is no form to go back to.
    await store.peek((tx) => changeable(tx, id))
    return formAction(c, 'portal', '/portal', async () => {
      // Switched on, a plan must be chosen: said with any other problem of the form, at once.
      const messages = { maxPerPeriod: MAX_MESSAGE, spendCap: SPEND_CAP_MESSAGE }
      const input = await readPortalForm(c, AutoTopUpForm, messages, (fields, check) => {
        if (fields.enabled === 'on' && !fields.topUpPlanId?.trim())
          check.add(fieldError('topUpPlanId', 'Top-up plan', CHOOSE_PLAN))
        check.read(() => spendCapOf(fields.spendCap?.trim() ?? '', env.currency))
      })
      const spendCap = spendCapOf(input.spendCap, env.currency)
      const applied = await store.transact(async (tx) => {
        const current = await changeable(tx, id)
        const enabled = input.enabled === 'on'
        // Switched off, the plan field may be empty (nothing on offer): the saved one is kept.
        if (input.topUpPlanId) await offeredPlan(tx, input.topUpPlanId)
        // What the operator set and the form does not show (trigger, interval, billing) stays.
        const { spendCapPerPeriod: _, ...kept } = current
        await setAutoTopUp(tx, env, c.var.actor, id, {
          ...kept,
          enabled,
          topUpPlanId: input.topUpPlanId || current.topUpPlanId,
          maxPerPeriod: input.maxPerPeriod,
          ...(spendCap === undefined ? {} : { spendCapPerPeriod: spendCap }),
          customerMayChange: true,
        })
        // Switched on at the threshold already: the rule applies now, not at the next report.
        return runAutoTopUp(tx, env, id)
      })
      const bought = applied.reduce((sum, t) => sum + t.bytes, 0)
      return {
        message:
          applied.length > 0
            ? `Auto top-up saved. ${bytes(bought)} were added right away, as your data was low.`
            : 'Auto top-up saved.',
      }
    })
  })
}
