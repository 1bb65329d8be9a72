/** The top-up plans pages: the list with the "New top-up plan" form, and one with its edit and retire forms. */
import type { TopUpPlan } from '../store/entities.js'
import { bytes } from '../ui/format.js'
import { CatalogItemPage, type CatalogKind, CatalogListPage } from './catalog-views.js'
import type { Frame } from './operator-kit.js'
import { priceText, TopUpPlanFields, validityText } from './topup-plan-form.js'

const TOPUP_PLANS: CatalogKind = {
  path: '/topup-plans',
  section: 'topup-plans',
  noun: 'top-up plan',
  stem: 'topup-plan',
}

export function TopUpPlansPage(p: { frame: Frame; plans: readonly TopUpPlan[]; currency: string }) {
  return (
    <CatalogListPage
      kind={TOPUP_PLANS}
      frame={p.frame}
      items={p.plans}
      columns={[
        { header: 'Data amount', num: true, cell: (plan) => bytes(plan.bytes) },
        { header: 'Price', num: true, cell: priceText },
        { header: 'Valid for', cell: validityText },
      ]}
      fields={<TopUpPlanFields prefix="new-topup-plan" currency={p.currency} />}
    />
  )
}

export function TopUpPlanPage(p: { frame: Frame; plan: TopUpPlan; currency: string; timeZone: string }) {
  const { plan } = p
  return (
    <CatalogItemPage
      kind={TOPUP_PLANS}
      frame={p.frame}
      item={plan}
      timeZone={p.timeZone}
      facts={[
        ['Data amount', bytes(plan.bytes)],
        ['Price', priceText(plan)],
        ['Valid for', validityText(plan)],
      ]}
      retiredNotice="This top-up plan is retired. It is kept for the top-ups sold from it, and can no longer be edited."
      editIntro="Changes apply to top-ups sold from now on. Top-ups already sold keep their terms."
      retireIntro="A retired top-up plan is no longer sold, in the portal or here. Auto top-ups set to it stop until another plan is chosen."
      fields={<TopUpPlanFields prefix="edit-topup-plan" plan={plan} currency={p.currency} />}
    />
  )
}
