/** The ISP's allowance choices (kept in the store's settings): which bucket is drawn first by default. */
import type { DrawOrder, Plan } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'
import { putSetting } from './put-setting.js'

export const DEFAULT_DRAW_ORDER: DrawOrder = 'plan_first'

const KEY = 'allowance.drawOrder'

export async function defaultDrawOrder(tx: Tx): Promise<DrawOrder> {
  const value = (await tx.settings.get(KEY))?.value
  return value === 'topups_first' ? 'topups_first' : DEFAULT_DRAW_ORDER
}

export async function setDefaultDrawOrder(tx: Tx, env: DomainEnv, order: DrawOrder): Promise<void> {
  await putSetting(tx, env, KEY, order)
}

/** The order a plan's subscribers draw in: the plan's own, or the ISP's default. */
export async function drawOrderOf(tx: Tx, plan: Plan): Promise<DrawOrder> {
  return plan.drawOrder ?? (await defaultDrawOrder(tx))
}
