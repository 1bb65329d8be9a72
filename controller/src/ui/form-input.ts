/** Reading an HTML form post: its fields as strings (checked by FormCheck, see form-check.ts). */
import type { Context } from 'hono'
import { ApiError } from '../errors.js'

/** The posted fields; a field sent twice keeps its last value. Files are refused. */
export async function readForm(c: Context): Promise<Record<string, string>> {
  let body: Record<string, string | File | (string | File)[]>
  try {
    body = await c.req.parseBody({ all: true })
  } catch {
    throw new ApiError(400, 'invalid_form', 'the form could not be read')
  }
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(body)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value
    if (typeof last !== 'string') throw new ApiError(400, 'invalid_form', `${name}: files are not accepted`)
    fields[name] = last
  }
  return fields
}

/* Checking the fields: FormCheck (form-check.ts), which names every bad field at once in our words. */
