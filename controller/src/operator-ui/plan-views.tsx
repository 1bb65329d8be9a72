/** The plans pages: the list with the "New plan" form, and one plan with its edit and retire forms. */
import type { Plan } from '../store/entities.js'
import { bytes } from '../ui/format.js'
import { CatalogItemPage, type CatalogKind, CatalogListPage } from './catalog-views.js'
import type { Frame } from './operator-kit.js'
import { alertsText, onCapText, PlanFields } from './plan-form.js'

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
        { header: 'At the cap', cell: onCapText },
        { header: 'Usage alerts', cell: alertsText },
        { header: 'Subscribers', num: true, cell: (plan) => p.counts.get(plan.id) ?? 0 },
      ]}
      fields={<PlanFields prefix="new-plan" />}
    />
  )
}

export function PlanPage(p: { frame: Frame; plan: Plan; subscribers: number; timeZone: string }) {
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
        ['At the cap', onCapText(plan)],
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
