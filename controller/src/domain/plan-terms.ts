/**
 * A plan's allowance terms after a create or an edit: the cap action (from `capAction` or the older
 * `onCap`/`throttleKbps`), the normal speed, direction, draw order, rollover and free hours. Fields
 * the edit leaves out keep the plan's value; `null` clears a clearable one.
 */
import type {
  CapAction,
  CountDirection,
  DrawOrder,
  FreeHours,
  OnCap,
  Plan,
  RolloverRule,
} from '../store/entities.js'
import { capActionOf, capTerms } from './cap-terms.js'
import { Refusal } from './refusal.js'

export interface PlanTermsInput {
  /** The older way to say what happens at the cap; not together with `capAction`. */
  onCap?: OnCap | undefined
  throttleKbps?: number | undefined
  capAction?: CapAction | undefined
  rateDownKbps?: number | null | undefined
  rateUpKbps?: number | null | undefined
  count?: CountDirection | undefined
  /** `null` = the ISP's default. */
  drawOrder?: DrawOrder | null | undefined
  /** `null` = nothing rolls over. */
  rollover?: RolloverRule | null | undefined
  /** `[]` = none. */
  freeHours?: readonly FreeHours[] | undefined
}

type TermFields =
  | 'onCap'
  | 'throttleKbps'
  | 'capAction'
  | 'rateDownKbps'
  | 'rateUpKbps'
  | 'count'
  | 'drawOrder'
  | 'rollover'
  | 'freeHours'

/** Everything of `before` but its terms, so the result carries only the terms as they are now. */
export function withoutTerms<P extends Plan>(plan: P): Omit<P, TermFields> {
  const {
    onCap: _a,
    throttleKbps: _b,
    capAction: _c,
    rateDownKbps: _d,
    rateUpKbps: _e,
    count: _f,
    drawOrder: _g,
    rollover: _h,
    freeHours: _i,
    ...rest
  } = plan
  return rest
}

/**
 * The terms to store, checked as a whole; `before` is the plan being edited. onCap/throttleKbps are
 * kept in step with the cap action for older readers (a percentage gives the download rate it makes).
 */
export function planTerms(input: PlanTermsInput, before?: Plan): Pick<Plan, TermFields> {
  const capAction = capActionFrom(input, before)
  const rateDownKbps = kept(input.rateDownKbps, before?.rateDownKbps)
  const rateUpKbps = kept(input.rateUpKbps, before?.rateUpKbps)
  if (capAction.kind === 'throttle_percent' && rateDownKbps === undefined) {
    throw invalid(
      'rateDownKbps: is required for a percentage throttle (capAction throttle_percent): the speed it is a percentage of',
    )
  }
  const count = input.count ?? before?.count
  const drawOrder = kept(input.drawOrder, before?.drawOrder)
  const rollover = kept(input.rollover, before?.rollover)
  const freeHours = input.freeHours ?? before?.freeHours ?? []
  const rates = {
    ...(rateDownKbps === undefined ? {} : { rateDownKbps }),
    ...(rateUpKbps === undefined ? {} : { rateUpKbps }),
  }
  const cap = capTerms({ onCap: 'block', capAction, ...rates })
  return {
    onCap: cap.onCap,
    ...(cap.throttleKbps === undefined ? {} : { throttleKbps: cap.throttleKbps }),
    capAction,
    ...rates,
    ...(count === undefined ? {} : { count }),
    ...(drawOrder === undefined ? {} : { drawOrder }),
    ...(rollover === undefined ? {} : { rollover }),
    ...(freeHours.length === 0 ? {} : { freeHours }),
  }
}

/** The given value, the plan's when not given, none when `null`. */
const kept = <T>(given: T | null | undefined, before: T | undefined): T | undefined =>
  given === null ? undefined : (given ?? before)

function capActionFrom(input: PlanTermsInput, before: Plan | undefined): CapAction {
  const older = input.onCap !== undefined || input.throttleKbps !== undefined
  if (input.capAction) {
    if (older) throw invalid('capAction: give either capAction or the older onCap/throttleKbps, not both')
    return input.capAction
  }
  const was = before ? capActionOf(before) : undefined
  if (!older) {
    if (was) return was
    throw invalid('capAction: is required (or the older onCap)')
  }
  const onCap = input.onCap ?? before?.onCap
  if (onCap === 'block') {
    if (input.throttleKbps !== undefined) throw invalid('throttleKbps: is only for onCap "throttle"')
    return { kind: 'block' }
  }
  if (input.throttleKbps !== undefined) return { kind: 'throttle_kbps', kbps: input.throttleKbps }
  // `{onCap: "throttle"}` alone keeps the plan's own throttle, whichever kind it is.
  if (was && was.kind !== 'block') return was
  throw invalid('throttleKbps: is required when onCap is "throttle"')
}

const invalid = (message: string) => new Refusal('invalid_request', message)
