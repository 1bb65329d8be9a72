/** The OpenAPI 3.1 document of the operator API, built from the registered routes. */
import { z } from 'zod'
import { WEBHOOKS_DOCUMENT } from './openapi-webhooks.js'
import type { RouteDoc } from './router.js'

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })

function operation(doc: RouteDoc) {
  const parameters: object[] = []
  for (const [, name] of doc.path.matchAll(/:(\w+)/g)) {
    parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } })
  }
  if (doc.query) {
    const props = (jsonSchema(doc.query) as { properties?: Record<string, object> }).properties ?? {}
    for (const [name, schema] of Object.entries(props)) parameters.push({ name, in: 'query', schema })
  }
  if (doc.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      description: 'Same key and body again: the same answer, nothing applied twice (kept ≥ 24 h).',
      schema: { type: 'string', maxLength: 255 },
    })
  }
  return {
    summary: doc.summary,
    parameters,
    ...(doc.body && {
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } },
    }),
    responses: {
      [doc.status]: { description: 'Success' },
      '4XX': {
        description: 'Bad request',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  }
}

export function openApiDocument(docs: readonly RouteDoc[], version: string) {
  const paths: Record<string, Record<string, object>> = {}
  for (const doc of docs) {
    const path = `/api/v1${doc.path.replace(/:(\w+)/g, '{$1}')}`
    paths[path] ??= {}
    paths[path][doc.method] = operation(doc)
  }
  return {
    openapi: '3.1.0',
    info: { title: 'capd operator API', version },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
    webhooks: WEBHOOKS_DOCUMENT,
  }
}
