/** Request bodies of the catalog edits (PATCH a plan or a top-up plan): any of the create fields, at least one. */
import { z } from 'zod'
import { DrawOrderInput, Kbps, RolloverInput, refuseTinyRollover } from './plan-terms-schemas.js'
import { CreatePlan, CreateTopUpPlan } from './schemas.js'
import { AllowTiny, refuseTiny, withoutAllowTiny } from './tiny-bytes.js'

const SOME_FIELD = 'give at least one field to change'

/**
 * The create fields, each optional; `null` clears the clearable ones. The cap rules are checked on
 * the plan as it would be after the edit (see planTerms): `{onCap: "throttle"}` alone is fine when the
 * plan already throttles, `{capAction: throttle_percent}` when it already has a `rateDownKbps`.
 */
export const UpdatePlan = z
  .strictObject({
    ...CreatePlan.shape,
    /** `null` clears: no normal speed given, the ISP's default draw order, nothing rolls over. */
    rateDownKbps: Kbps.nullable(),
    rateUpKbps: Kbps.nullable(),
    drawOrder: DrawOrderInput.nullable(),
    rollover: RolloverInput.nullable(),
  })
  .partial()
  .extend({ allowTiny: AllowTiny })
  .refine((p) => Object.keys(withoutAllowTiny(p)).length > 0, SOME_FIELD)
  .superRefine(refuseTiny(['capBytes']))
  .superRefine(refuseTinyRollover)
  .transform(withoutAllowTiny)

export const UpdateTopUpPlan = z
  .strictObject({
    ...CreateTopUpPlan.shape,
    /** `null` = valid to the end of the billing period it is bought in. */
    validityDays: CreateTopUpPlan.shape.validityDays.unwrap().nullable(),
  })
  .partial()
  .extend({ allowTiny: AllowTiny })
  .refine((p) => Object.keys(withoutAllowTiny(p)).length > 0, SOME_FIELD)
  .superRefine(refuseTiny(['bytes']))
  .transform(withoutAllowTiny)
