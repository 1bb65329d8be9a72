/** What capd answers FreeRADIUS's rlm_rest at login, per subscriber state: one zod-validated JSON file (`--radius-admission`). */
import { readFileSync } from 'node:fs'
import { z } from 'zod'

/** The values a template may name; each missing one leaves its attribute out of the answer. */
export const PLACEHOLDERS = ['downKbps', 'upKbps', 'login'] as const
export type Placeholder = (typeof PLACEHOLDERS)[number]

/** `reply:Name`, `control:Name` (also `request:`, `session-state:`), or a bare name (rlm_rest puts it in reply). */
const ATTRIBUTE = /^(?:(?:reply|control|request|session-state):)?[A-Za-z][A-Za-z0-9-]{0,63}$/
const PLACEHOLDER = /\{([^{}]*)\}/g

const Template = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(253, { error: 'must be at most 253 characters (a RADIUS attribute value)' })
  .superRefine((text, ctx) => {
    for (const [, name] of text.matchAll(PLACEHOLDER)) {
      if (!PLACEHOLDERS.includes(name as Placeholder)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder {${name}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
        })
      }
    }
  })

const Attributes = z.record(z.string(), Template)

/**
 * Attributes for an Access-Accept, or `"reject"`: an HTTP 401, which rlm_rest turns into
 * Access-Reject. Not a zod union, whose error would only say "Invalid input".
 */
export const AdmissionAnswer = z.unknown().transform((value, ctx): 'reject' | Record<string, string> => {
  if (value === 'reject') return 'reject'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be "reject" or an object of attribute names to values' })
    return z.NEVER
  }
  for (const name of Object.keys(value)) {
    if (!ATTRIBUTE.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'must be an attribute name such as "reply:Mikrotik-Rate-Limit" or "control:Pool-Name"',
      })
    }
  }
  const result = Attributes.safeParse(value)
  if (result.success) return result.data
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path })
  }
  return z.NEVER
})
export type AdmissionAnswer = z.output<typeof AdmissionAnswer>

export const RadiusAdmissionConfig = z.strictObject({
  /** The secret rlm_rest sends as `Authorization: Bearer <token>`: inline or `file:///path`. */
  token: z.string().min(1, { error: 'is required' }),
  /** Under the cap (or in free hours): the plan's own rate by default, when the plan has one. */
  open: AdmissionAnswer.default({ 'reply:Mikrotik-Rate-Limit': '{upKbps}k/{downKbps}k' }),
  /** Capped on a throttle plan: `{downKbps}`/`{upKbps}` are the throttle rates. */
  throttled: AdmissionAnswer.default({ 'reply:Mikrotik-Rate-Limit': '{upKbps}k/{downKbps}k' }),
  /** Capped on a block plan. */
  blocked: AdmissionAnswer.default({ 'reply:Framed-Pool': 'capd-blocked' }),
  /** Suspended by an operator; absent = the `blocked` answer. */
  suspended: AdmissionAnswer.optional(),
})
export type RadiusAdmissionConfig = z.infer<typeof RadiusAdmissionConfig>

/** The checked settings, with the token read. */
export interface RadiusAdmission extends Omit<RadiusAdmissionConfig, 'token'> {
  token: string
}

const MIN_TOKEN_LENGTH = 16

/** Checks parsed JSON; every problem is named by its field. */
export function radiusAdmission(input: unknown, readFile = readText): RadiusAdmission {
  const result = RadiusAdmissionConfig.safeParse(input)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const path = issue.path.map(String).join('.')
    throw new Error(path ? `${path}: ${issue.message}` : issue.message)
  }
  const token = result.data.token.startsWith('file://')
    ? readFile(result.data.token).trim()
    : result.data.token
  if (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new Error(
      `token: must be at least ${MIN_TOKEN_LENGTH} printable characters without spaces (e.g. openssl rand -hex 24)`,
    )
  }
  return { ...result.data, token }
}

/** Reads and checks the file `--radius-admission` names. */
export function readRadiusAdmission(path: string): RadiusAdmission {
  let input: unknown
  try {
    input = JSON.parse(readText(path))
  } catch (err) {
    throw new Error(`--radius-admission ${path}: ${(err as Error).message}`)
  }
  try {
    return radiusAdmission(input)
  } catch (err) {
    throw new Error(`--radius-admission ${path}: ${(err as Error).message}`)
  }
}

function readText(pathOrUrl: string): string {
  try {
    return readFileSync(pathOrUrl.startsWith('file://') ? new URL(pathOrUrl) : pathOrUrl, 'utf8')
  } catch (err) {
    throw new Error(`cannot read ${pathOrUrl}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`)
  }
}
