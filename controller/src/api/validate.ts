/** Parses request input at the edge: a bad body or query becomes one clear 400, naming each field. */
import type { Context } from 'hono'
import type { z } from 'zod'
import { ApiError } from '../errors.js'

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }))
  const message = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ')
  throw new ApiError(400, 'invalid_request', message, details)
}

export async function readBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON')
  }
}

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseInput(schema, await readBody(c))
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseInput(schema, c.req.query())
}

/** The `:id` path parameter (hono types it optional when the handler is not tied to a path). */
export function idParam(c: Context): string {
  const id = c.req.param('id')
  if (!id) throw new ApiError(400, 'invalid_request', 'missing id in the path')
  return id
}
