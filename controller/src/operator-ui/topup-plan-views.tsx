/** The top-up plans pages: the list with the "New top-up plan" form, and one with its edit and retire forms. */
import type { TopUpPlan } from '../store/entities.js'
import { bytes, date, money } from '../ui/format.js'
import { NamedForm } from '../ui/named-form.js'
import { CatalogState } from './catalog-state.js'
import { OperatorPage } from './layout.js'
import type { frame } from './operator-kit.js'
import { TopUpPlanFields, validityText } from './topup-plan-form.js'

type Frame = ReturnType<typeof frame>

export function TopUpPlansPage(p: { frame: Frame; plans: readonly TopUpPlan[]; currency: string }) {
  return (
    <OperatorPage {...p.frame} title="Top-up plans" section="topup-plans">
      <h1>Top-up plans</h1>
      <div class="table-wrap catalog">
        {p.plans.length === 0 ? (
          <p class="empty">No top-up plans yet. Create the first one below.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">
                  Data amount
                </th>
                <th scope="col" class="num">
                  Price
                </th>
                <th scope="col">Valid for</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {p.plans.map((plan) => (
                <tr>
                  <td>{plan.name}</td>
                  <td class="num">{bytes(plan.bytes)}</td>
                  <td class="num">{money(plan.price)}</td>
                  <td>{validityText(plan)}</td>
                  <td>
                    <CatalogState retiredAtMs={plan.retiredAtMs} />
                  </td>
                  <td>
                    <a href={`/topup-plans/${plan.id}`}>Edit</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <NamedForm
        id="new-topup-plan"
        title="New top-up plan"
        action="/topup-plans"
        csrf={p.frame.csrf}
        submit="Create top-up plan"
      >
        <TopUpPlanFields prefix="new-topup-plan" currency={p.currency} />
      </NamedForm>
    </OperatorPage>
  )
}

export function TopUpPlanPage(p: { frame: Frame; plan: TopUpPlan; currency: string; timeZone: string }) {
  const { plan } = p
  return (
    <OperatorPage {...p.frame} title={plan.name} section="topup-plans">
      <p>
        <a href="/topup-plans">All top-up plans</a>
      </p>
      <h1>{plan.name}</h1>
      <dl class="facts catalog-facts">
        <dt>Status</dt>
        <dd>
          <CatalogState retiredAtMs={plan.retiredAtMs} />
        </dd>
        <dt>Data amount</dt>
        <dd>{bytes(plan.bytes)}</dd>
        <dt>Price</dt>
        <dd>{money(plan.price)}</dd>
        <dt>Valid for</dt>
        <dd>{validityText(plan)}</dd>
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
          This top-up plan is retired. It is kept for the top-ups sold from it, and can no longer be edited.
        </p>
      ) : (
        <div class="columns">
          <NamedForm
            id="edit-topup-plan"
            title="Edit top-up plan"
            action={`/topup-plans/${plan.id}`}
            csrf={p.frame.csrf}
            submit="Save top-up plan"
            intro={
              <p class="hint">
                Changes apply to top-ups sold from now on. Top-ups already sold keep their terms.
              </p>
            }
          >
            <TopUpPlanFields prefix="edit-topup-plan" plan={plan} currency={p.currency} />
          </NamedForm>
          <NamedForm
            id="retire-topup-plan"
            title="Retire top-up plan"
            action={`/topup-plans/${plan.id}/retire`}
            csrf={p.frame.csrf}
            submit="Retire top-up plan"
            kind="danger"
            intro={
              <p>
                A retired top-up plan is no longer sold, in the portal or here. Auto top-ups set to it stop
                until another plan is chosen.
              </p>
            }
          />
        </div>
      )}
    </OperatorPage>
  )
}
