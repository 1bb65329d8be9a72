/** Turns a subscriber's admission into rlm_rest's answer: the HTTP status its authorize section maps to a module code, and the attributes. */
import type { AdmissionAnswer, Placeholder, RadiusAdmission } from './admission-config.js'
import type { Admission } from './admission-state.js'

/**
 * rlm_rest (authorize): 200 with attributes → updated, 204 → ok, 401 → reject (its body's
 * attributes still go in the reply), 404 → notfound.
 */
export type RestAnswer =
  | { status: 200 | 401; attributes: Record<string, string> }
  | { status: 204 | 404; attributes?: undefined }

const REJECT_MESSAGE = {
  open: 'capd: login refused',
  throttled: 'capd: data cap reached',
  blocked: 'capd: data cap reached',
  suspended: 'capd: account suspended',
} as const

export function restAnswer(settings: RadiusAdmission, admission: Admission | undefined): RestAnswer {
  if (!admission) return { status: 404 }
  const configured: AdmissionAnswer =
    admission.state === 'suspended' ? (settings.suspended ?? settings.blocked) : settings[admission.state]
  if (configured === 'reject') {
    return { status: 401, attributes: { 'reply:Reply-Message': REJECT_MESSAGE[admission.state] } }
  }
  const attributes: Record<string, string> = {}
  for (const [name, template] of Object.entries(configured)) {
    const value = fill(template, admission)
    if (value !== undefined) attributes[name] = value
  }
  return Object.keys(attributes).length > 0 ? { status: 200, attributes } : { status: 204 }
}

/** The template with its placeholders filled, or undefined when one has no value (a plan without a rate). */
function fill(template: string, admission: Admission): string | undefined {
  const values: Record<Placeholder, string | undefined> = {
    downKbps: admission.downKbps?.toString(),
    upKbps: admission.upKbps?.toString(),
    login: admission.login,
  }
  let missing = false
  const text = template.replace(/\{([^{}]*)\}/g, (_, name: Placeholder) => {
    const value = values[name]
    if (value === undefined) missing = true
    return value ?? ''
  })
  return missing ? undefined : text
}
