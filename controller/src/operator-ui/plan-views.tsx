/** The plans pages: the list with the "New plan" form, and one plan with its edit and retire forms. */
import type { DrawOrder, Plan } from '../store/entities.js'
import { bytes } from '../ui/format.js'
import { CatalogItemPage, type CatalogKind, CatalogListPage } from './catalog-views.js'
import type { Frame } from './operator-kit.js'
import { alertsText, PlanFields } from './plan-form.js'
import {
  capText,
  countText,
  drawOrderText,
  freeHoursText,
  rolloverText,
  speedText,
} from './plan-terms-text.js'

const PLANS: CatalogKind = { path: '/plans', section: 'plans', noun: 'plan', stem: 'plan' }

const subscribersText = (n: number) => `${n} subscriber${n === 1 ? '' : 's'}`

export function PlansPage(p: { frame: Frame; plans: readonly Plan[]; counts: ReadonlyMap<string, number> }) {
  return (
    <CatalogListPage
      kind={PLANS}
      frame={p.frame}
      items={p.plans}
      columns={[
        { header: 'Data cap', num: true, cell: (plan) => bytes(plan.capBytes) },
        { header: 'Counts', cell: countText },
        { header: 'At the cap', cell: capText },
        { header: 'Roll over', cell: rolloverText },
        { header: 'Free hours', cell: freeHoursText },
        { header: 'Usage alerts', cell: alertsText },
        { header: 'Subscribers', num: true, cell: (plan) => p.counts.get(plan.id) ?? 0 },
      ]}
      fields={<PlanFields prefix="new-plan" />}
    />
  )
}

export function PlanPage(p: {
  frame: Frame
  plan: Plan
  subscribers: number
  timeZone: string
  /** The ISP's default, shown when the plan has no draw order of its own. */
  ispDrawOrder: DrawOrder
}) {
  const { plan } = p
  const who = subscribersText(p.subscribers)
  return (
    <CatalogItemPage
      kind={PLANS}
      frame={p.frame}
      item={plan}
      timeZone={p.timeZone}
      facts={[
        ['Data cap', bytes(plan.capBytes)],
        ['Counts', countText(plan)],
        ['At the cap', capText(plan)],
        ['Normal speed', speedText(plan)],
        ['Use first', drawOrderText(plan, p.ispDrawOrder)],
        ['Roll over unused', rolloverText(plan)],
        [`Free hours (${p.timeZone})`, freeHoursText(plan)],
        ['Usage alerts', alertsText(plan)],
        ['On this plan', who],
      ]}
      retiredNotice="This plan is retired. It is kept for the subscribers and the history that refer to it, and can no longer be edited."
      editIntro={`Saving changes the limits of everyone on this plan at once (${who}).`}
      retireIntro={`New subscribers can no longer be put on a retired plan; those on it now (${who}) keep it.`}
      fields={<PlanFields prefix="edit-plan" plan={plan} />}
    />
  )
}
