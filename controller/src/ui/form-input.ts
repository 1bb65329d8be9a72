/** Reading an HTML form post: fields as strings, checked by a zod schema into one clear 400 naming each field. */
import type { Context } from 'hono'
import type { z } from 'zod'
import { parseInput } from '../api/validate.js'
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

export async function readFormAs<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseInput(schema, await readForm(c))
}
