/** Request bodies and queries of the operator API, as zod schemas (also the OpenAPI source). */
import { BillingDay, ByteCount, Money, NonNegativeMoney, parseSubscriberAddress } from '@capd/protocol'
import { z } from 'zod'
import { AUTO_TOPUP_BOUNDS, templateProblems } from '../domain/auto-topup-settings.js'
import { Notes, Phone, PostalAddress } from './contact-schemas.js'
import {
  CapActionInput,
  CountInput,
  DrawOrderInput,
  FreeHoursInput,
  Kbps,
  RolloverInput,
  refuseTinyRollover,
} from './plan-terms-schemas.js'
import { safeText } from './safe-text.js'
import { TaxInput } from './tax-schema.js'
import { AllowTiny, refuseTiny, withoutAllowTiny } from './tiny-bytes.js'

const Name = safeText(
  z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
)
const Id = z.string().min(1).max(64)
const PositiveBytes = ByteCount.refine((n) => n > 0, 'must be greater than 0')

/** At most this many usage alerts per plan (more would be noise, not news). */
export const MAX_USAGE_ALERTS = 10

/** A plan's usage alerts: whole percentages of the allowance, each once; stored ascending. */
export const NotifyAtPercent = z
  .array(
    z.number().int('must be whole numbers').min(1, 'must be from 1 to 100').max(100, 'must be from 1 to 100'),
  )
  .max(MAX_USAGE_ALERTS, `must list at most ${MAX_USAGE_ALERTS} percentages`)
  .refine((list) => new Set(list).size === list.length, 'must not list a percentage twice')
  .transform((list) => [...list].sort((a, b) => a - b))
  .describe(
    'Usage alerts at these percentages of the allowance (plan cap + valid top-ups); 100 = the cap. ' +
      'Absent = [80, 100]; [] = none.',
  )

/**
 * A plan. What happens at the cap is `capAction`, or (older clients) `onCap` with `throttleKbps`;
 * one of the two, not both.
 */
export const CreatePlan = z
  .strictObject({
    name: Name,
    capBytes: ByteCount,
    onCap: z.enum(['block', 'throttle']).optional(),
    throttleKbps: Kbps.optional(),
    notifyAtPercent: NotifyAtPercent.optional(),
    capAction: CapActionInput.optional(),
    rateDownKbps: Kbps.optional().describe(
      "The plan's normal download speed, the base of a percentage throttle.",
    ),
    rateUpKbps: Kbps.optional().describe("The plan's normal upload speed; absent = the download speed."),
    count: CountInput.optional(),
    drawOrder: DrawOrderInput.optional(),
    rollover: RolloverInput.optional(),
    freeHours: FreeHoursInput.optional(),
  })
  .superRefine((p, ctx) => {
    for (const issue of capIssues(p)) ctx.addIssue({ code: 'custom', ...issue })
  })

/** The cross-field rules of what happens at the cap, on a plan as it is to be stored. */
export function capIssues(p: {
  onCap?: 'block' | 'throttle' | undefined
  throttleKbps?: number | undefined
  capAction?: { kind: string } | undefined
  rateDownKbps?: number | null | undefined
}): { path: string[]; message: string }[] {
  if (p.capAction !== undefined) {
    if (p.onCap !== undefined || p.throttleKbps !== undefined) {
      const field = p.onCap !== undefined ? 'onCap' : 'throttleKbps'
      return [{ path: [field], message: 'give either capAction or the older onCap/throttleKbps, not both' }]
    }
    if (p.capAction.kind === 'throttle_percent' && p.rateDownKbps == null) {
      return [
        {
          path: ['rateDownKbps'],
          message:
            'is required for a percentage throttle (capAction throttle_percent): the speed it is a percentage of',
        },
      ]
    }
    return []
  }
  if (p.onCap === undefined) return [{ path: ['capAction'], message: 'is required (or the older onCap)' }]
  if (p.onCap === 'throttle' && p.throttleKbps === undefined)
    return [{ path: ['throttleKbps'], message: 'is required when onCap is "throttle"' }]
  if (p.onCap === 'block' && p.throttleKbps !== undefined)
    return [{ path: ['throttleKbps'], message: 'is only for onCap "throttle"' }]
  return []
}

export const CreateTopUpPlan = z.strictObject({
  name: Name,
  bytes: PositiveBytes,
  price: NonNegativeMoney,
  validityDays: z.number().int().min(1).max(366).optional(),
  /** `null` or absent = untaxed. */
  tax: TaxInput.nullable().optional(),
})

/** The API's body for a new plan: a cap under 1 MB needs `allowTiny` (see tiny-bytes.ts). */
export const CreatePlanBody = CreatePlan.safeExtend({ allowTiny: AllowTiny })
  .superRefine(refuseTiny(['capBytes']))
  .superRefine(refuseTinyRollover)
  .transform(withoutAllowTiny)

/** The API's body for a new top-up plan: a pack under 1 MB needs `allowTiny`. */
export const CreateTopUpPlanBody = CreateTopUpPlan.safeExtend({ allowTiny: AllowTiny })
  .superRefine(refuseTiny(['bytes']))
  .transform(withoutAllowTiny)

export const CreateAgent = z.strictObject({ name: Name })

export const Address = z.string().transform((value, ctx) => {
  try {
    return parseSubscriberAddress(value).text
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message })
    return z.NEVER
  }
})

export const CreateSubscriber = z.strictObject({
  name: Name,
  login: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._@+-]+$/, 'may contain letters, digits and . _ @ + - only'),
  password: z.string().min(8, 'must be at least 8 characters').max(200).optional(),
  email: z.email().max(254).optional(),
  phone: Phone.optional(),
  postalAddress: PostalAddress.optional(),
  notes: Notes.optional(),
  planId: Id,
  agentId: Id,
  address: Address.optional().describe(
    "IPv4/IPv6 address or prefix the router knows the subscriber by. Absent: the subscriber is known by its login (PPPoE, hotspot, RADIUS) and the agent finds its current address from the router's sessions; views then leave the field out.",
  ),
  billingDay: BillingDay.default(1),
})

const ChargeTo = z.enum(['invoice', 'balance']).default('invoice')

export const TopUpFromPlan = z.strictObject({ topUpPlanId: Id, chargeTo: ChargeTo })

export const ManualTopUp = z
  .strictObject({
    bytes: PositiveBytes,
    price: NonNegativeMoney,
    validityDays: z.number().int().min(1).max(366).optional(),
    description: safeText(z.string().trim().min(1).max(200)).optional(),
    tax: TaxInput.optional(),
    chargeTo: ChargeTo,
    allowTiny: AllowTiny,
  })
  .superRefine(refuseTiny(['bytes']))
  .transform(withoutAllowTiny)

export const CreateTopUp = z.union([TopUpFromPlan, ManualTopUp])

/** Picks the form by its key, so errors name the fields of the form the client meant. */
export function topUpSchemaFor(body: unknown): typeof TopUpFromPlan | typeof ManualTopUp {
  return body && typeof body === 'object' && 'topUpPlanId' in body ? TopUpFromPlan : ManualTopUp
}

const B = AUTO_TOPUP_BOUNDS
const between = (min: number, max: number, what: string) =>
  z
    .number()
    .int(`must be a whole ${what}`)
    .min(min, `must be from ${min} to ${max}`)
    .max(max, `must be from ${min} to ${max}`)

export const AutoTopUpTrigger = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('bytes'), bytes: ByteCount }),
    z.strictObject({
      kind: z.literal('percent_of_last'),
      percent: between(B.percent.min, B.percent.max, 'number'),
    }),
  ])
  .describe(
    'Top up once the remaining bytes are at most `bytes`, or `percent` % of the last top-up of ' +
      "the period (none yet: of the top-up plan's size).",
  )

export const SetAutoTopUp = z
  .strictObject({
    enabled: z.boolean(),
    topUpPlanId: Id,
    maxPerPeriod: between(B.maxPerPeriod.min, B.maxPerPeriod.max, 'number'),
    /** Top up once the remaining bytes are at most this; absent = 0 = when the cap is reached. */
    thresholdBytes: ByteCount.optional(),
    trigger: AutoTopUpTrigger.optional(),
    /** Shortest time between two auto top-ups; absent = 5 minutes. */
    minIntervalMs: between(B.minIntervalMs.min, B.minIntervalMs.max, 'number of milliseconds').optional(),
    /** Most money (minor units, store currency) auto top-ups may charge in one period; absent = no cap. */
    spendCapPerPeriod: z
      .number()
      .int('must be whole minor units')
      .positive('must be greater than 0')
      .max(Number.MAX_SAFE_INTEGER)
      .optional(),
    /** Over-usage past the cap is drawn from the new top-up; absent = true. */
    compensateOverUsage: z.boolean().optional(),
    chargeTo: z.enum(['balance', 'invoice']).optional(),
    /** Invoice line; `{size}`, `{plan}`, `{subscriber}` are filled in. */
    descriptionTemplate: z
      .string()
      .superRefine((text, ctx) => {
        for (const p of templateProblems(text)) ctx.addIssue({ code: 'custom', message: p.message })
      })
      .optional(),
    /** Whether the customer may change these settings in the portal; absent = no. */
    customerMayChange: z.boolean().optional(),
  })
  .refine((s) => !(s.trigger && s.thresholdBytes !== undefined), {
    path: ['trigger'],
    message: 'give either trigger or thresholdBytes, not both',
  })

export const CreatePayment = z.strictObject({
  amount: Money.refine((m) => m.amount > 0, { path: ['amount'], message: 'must be greater than 0' }),
  reference: safeText(z.string().trim().min(1).max(200)).optional(),
})

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(64).optional(),
})

export const SubscriberListQuery = PageQuery.extend({
  q: z.string().trim().max(100).optional(),
  state: z.enum(['open', 'blocked', 'throttled']).optional(),
  agentId: Id.optional(),
  /** `true` lists deleted subscribers instead of live ones. */
  deleted: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
})
