/** The plans pages: the list with the "New plan" form, and one plan with its edit and retire forms. */
import type { Plan } from '../store/entities.js'
import { bytes, date } from '../ui/format.js'
import { NamedForm } from '../ui/named-form.js'
import { CatalogState } from './catalog-state.js'
import { OperatorPage } from './layout.js'
import type { frame } from './operator-kit.js'
import { onCapText, PlanFields } from './plan-form.js'

type Frame = ReturnType<typeof frame>

const subscribersText = (n: number) => `${n} subscriber${n === 1 ? '' : 's'}`

export function PlansPage(p: { frame: Frame; plans: readonly Plan[]; counts: ReadonlyMap<string, number> }) {
  return (
    <OperatorPage {...p.frame} title="Plans" section="plans">
      <h1>Plans</h1>
      <div class="table-wrap catalog">
        {p.plans.length === 0 ? (
          <p class="empty">No plans yet. Create the first one below.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">
                  Data cap
                </th>
                <th scope="col">At the cap</th>
                <th scope="col" class="num">
                  Subscribers
                </th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {p.plans.map((plan) => (
                <tr>
                  <td>{plan.name}</td>
                  <td class="num">{bytes(plan.capBytes)}</td>
                  <td>{onCapText(plan)}</td>
                  <td class="num">{p.counts.get(plan.id) ?? 0}</td>
                  <td>
                    <CatalogState retiredAtMs={plan.retiredAtMs} />
                  </td>
                  <td>
                    <a href={`/plans/${plan.id}`}>Edit</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <NamedForm id="new-plan" title="New plan" action="/plans" csrf={p.frame.csrf} submit="Create plan">
        <PlanFields prefix="new-plan" />
      </NamedForm>
    </OperatorPage>
  )
}

export function PlanPage(p: { frame: Frame; plan: Plan; subscribers: number; timeZone: string }) {
  const { plan } = p
  const who = subscribersText(p.subscribers)
  return (
    <OperatorPage {...p.frame} title={plan.name} section="plans">
      <p>
        <a href="/plans">All plans</a>
      </p>
      <h1>{plan.name}</h1>
      <dl class="facts catalog-facts">
        <dt>Status</dt>
        <dd>
          <CatalogState retiredAtMs={plan.retiredAtMs} />
        </dd>
        <dt>Data cap</dt>
        <dd>{bytes(plan.capBytes)}</dd>
        <dt>At the cap</dt>
        <dd>{onCapText(plan)}</dd>
        <dt>On this plan</dt>
        <dd>{who}</dd>
        <dt>Created</dt>
        <dd>{date(plan.createdAtMs, p.timeZone)}</dd>
        {plan.retiredAtMs === undefined ? null : (
          <>
            <dt>Retired</dt>
            <dd>{date(plan.retiredAtMs, p.timeZone)}</dd>
          </>
        )}
      </dl>
      {plan.retiredAtMs !== undefined ? (
        <p class="notice pending">
          This plan is retired. It is kept for the subscribers and the history that refer to it, and can no
          longer be edited.
        </p>
      ) : (
        <div class="columns">
          <NamedForm
            id="edit-plan"
            title="Edit plan"
            action={`/plans/${plan.id}`}
            csrf={p.frame.csrf}
            submit="Save plan"
            intro={<p class="hint">Saving changes the limits of everyone on this plan at once ({who}).</p>}
          >
            <PlanFields prefix="edit-plan" plan={plan} />
          </NamedForm>
          <NamedForm
            id="retire-plan"
            title="Retire plan"
            action={`/plans/${plan.id}/retire`}
            csrf={p.frame.csrf}
            submit="Retire plan"
            kind="danger"
            intro={
              <p>New subscribers can no longer be put on a retired plan; those on it now ({who}) keep it.</p>
            }
          />
        </div>
      )}
    </OperatorPage>
  )
}
