/** Reading an HTML form post: its fields as strings, and checking them with a zod schema into one clear 400. */
import type { Context } from 'hono'
import type { z } from 'zod'
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

/** The schema's output, or a 400 whose message `describe` makes of the problems. */
function checked<S extends z.ZodType>(
  schema: S,
  input: unknown,
  describe: (issues: z.ZodError['issues']) => string,
): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new ApiError(400, 'invalid_request', describe(result.error.issues))
}

/**
 * Checks a form's values with a schema whose messages name no field (such as the API's): each
 * problem is named by the form's label (`labels` maps the schema's field names to them), joined
 * into one message.
 */
export function checkedAs<S extends z.ZodType>(
  schema: S,
  input: unknown,
  labels: Record<string, string>,
): z.output<S> {
  return checked(schema, input, (issues) =>
    issues
      .map((issue) => {
        const field = String(issue.path[0] ?? '')
        return `${labels[field] ?? (issue.path.join('.') || 'form')}: ${issue.message}`
      })
      .join('; '),
  )
}

/** Checks a form's values with a schema whose messages are whole sentences, written for customers. */
export function checkedAsSentences<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  return checked(schema, input, (issues) => issues.map((i) => i.message).join(' '))
}
