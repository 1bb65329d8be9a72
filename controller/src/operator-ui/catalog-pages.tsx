/** Operator pages for plans and top-up plans: list, create, edit, retire. */
import type { Hono } from 'hono'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'
import { planPages } from './plan-pages.js'
import { topUpPlanPages } from './topup-plan-pages.js'

export function catalogPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  planPages(ui, kit)
  topUpPlanPages(ui, kit)
}
