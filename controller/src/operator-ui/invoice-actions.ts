/** The invoice page's posts and the subscriber page's "Reverse" per top-up, through the domain as the API calls it. */
import type { Hono } from 'hono'
import { idParam } from '../api/validate.js'
import { reverseTopUp, type VoidInput, voidInvoice } from '../domain/credit-notes.js'
import { payFromBalance, payInvoice, type ReceivedMethod } from '../domain/invoice-payments.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { runOnce } from '../ui/form-once.js'
import {
  type FormFields,
  fieldError,
  idempotencyKeyField,
  moneyField,
  optionalText,
  requiredText,
} from '../ui/form-values.js'
import { money } from '../ui/format.js'
import { METHOD_LABELS } from './invoice-forms.js'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export function invoiceActions(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { deps } = kit
  const { env, store } = deps
  const back = (c: { req: { param(n: string): string | undefined } }) =>
    `/invoices/${encodeURIComponent(c.req.param('id') ?? '')}`

  ui.post('/invoices/:id/payments', kit.action('billing'), (c) =>
    formAction(c, 'operator', back(c), async () => {
      const id = idParam(c)
      const form = await readForm(c)
      const input = {
        amount: moneyField(form, 'amount', 'Amount', env.currency, { positive: true }),
        method: methodField(form),
        ...optional('reference', optionalText(form, 'reference', 'Reference', 200)),
      }
      const answer = await runOnce(c, deps, idempotencyKeyField(form), input, async (tx) => {
        const r = await payInvoice(tx, env, c.var.actor, id, input)
        return { status: 201, body: { number: r.invoice.number, status: r.invoice.status } }
      })
      const body = answer.body as { number: string; status: string }
      return {
        message: `Payment of ${money(input.amount)} recorded on ${body.number}${body.status === 'paid' ? ': paid in full' : ''}.`,
      }
    }),
  )

  ui.post('/invoices/:id/pay-from-balance', kit.action('billing'), (c) =>
    formAction(c, 'operator', back(c), async () => {
      const id = idParam(c)
      const form = await readForm(c)
      const answer = await runOnce(c, deps, idempotencyKeyField(form), { id }, async (tx) => {
        const r = await payFromBalance(tx, env, c.var.actor, id)
        return { status: 201, body: { number: r.invoice.number, amount: r.payment.amount } }
      })
      const body = answer.body as { number: string; amount: { amount: number; currency: string } }
      return { message: `${body.number} paid from the balance (${money(body.amount)}).` }
    }),
  )

  ui.post('/invoices/:id/void', kit.action('billing'), (c) =>
    formAction(c, 'operator', back(c), async () => {
      const id = idParam(c)
      const form = await readForm(c)
      const input = voidInput(form)
      const answer = await runOnce(c, deps, idempotencyKeyField(form), input, async (tx) => {
        const r = await voidInvoice(tx, env, c.var.actor, id, input)
        return {
          status: 200,
          body: {
            number: r.invoice.number,
            creditNote: r.creditNote?.number ?? null,
            removed: !!r.reversedTopUp,
          },
        }
      })
      const b = answer.body as { number: string; creditNote: string | null; removed: boolean }
      return {
        message: b.creditNote
          ? `${b.number} voided by credit note ${b.creditNote}${b.removed ? '; its top-up data was removed' : ''}.`
          : `${b.number} cancelled.`,
      }
    }),
  )

  ui.post('/topups/:id/reverse', kit.action('billing'), async (c) => {
    const id = idParam(c)
    const subscriberId = await store.peek(async (tx) => (await tx.topUps.get(id))?.subscriberId)
    const to = subscriberId ? `/subscribers/${encodeURIComponent(subscriberId)}` : '/invoices'
    return formAction(c, 'operator', to, async () => {
      const form = await readForm(c)
      const input = voidInput(form)
      const answer = await runOnce(c, deps, idempotencyKeyField(form), input, async (tx) => {
        const r = await reverseTopUp(tx, env, c.var.actor, id, input)
        return { status: 200, body: { creditNote: r.creditNote?.number ?? null } }
      })
      return {
        message: `Top-up reversed: its data is removed, credit note ${(answer.body as { creditNote: string }).creditNote} issued.`,
      }
    })
  })
}

function voidInput(form: FormFields): VoidInput {
  const reason = requiredText(form, 'reason', 'Reason')
  const refund = form.refund === 'none' ? 'none' : 'balance'
  return { reason, refund }
}

function methodField(form: FormFields): ReceivedMethod {
  const method = form.method ?? ''
  if (!Object.hasOwn(METHOD_LABELS, method))
    throw fieldError('method', 'Method', 'Choose how the money was received.')
  return method as ReceivedMethod
}

const optional = <K extends string>(k: K, v: string | undefined) =>
  v === undefined ? {} : ({ [k]: v } as Record<K, string>)
