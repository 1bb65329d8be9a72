/** Registers a route and its OpenAPI description together, so the document cannot drift from the code. */
import type { Handler, Hono } from 'hono'
import type { z } from 'zod'
import type { AppEnv } from './app-env.js'

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  /** Hono syntax: `/subscribers/:id`. */
  path: string
  summary: string
  body?: z.ZodType
  query?: z.ZodType
  status: number
  idempotent?: boolean
}

export class DocumentedRouter {
  readonly docs: RouteDoc[] = []

  constructor(private readonly app: Hono<AppEnv>) {}

  add(doc: RouteDoc, handler: Handler<AppEnv>): void {
    this.docs.push(doc)
    this.app.on(doc.method.toUpperCase(), doc.path, handler)
  }
}
