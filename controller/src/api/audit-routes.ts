/** The audit log: every change, newest first. */
import { z } from 'zod'
import { actorLabel } from '../domain/actor-label.js'
import type { ApiDeps } from './app-env.js'
import type { DocumentedRouter } from './router.js'
import { readQuery } from './validate.js'
import { auditView } from './views.js'

const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) })

export function auditRoutes(r: DocumentedRouter, { store }: ApiDeps): void {
  r.add(
    {
      method: 'get',
      path: '/audit',
      summary: 'The newest audit log entries',
      query: AuditQuery,
      status: 200,
    },
    async (c) => {
      const { limit } = readQuery(c, AuditQuery)
      const { entries, staff } = await store.transact(async (tx) => ({
        entries: await tx.audit.list(limit),
        staff: new Map((await tx.users.list()).map((u) => [u.id, u])),
      }))
      // `actorName` says who in words: a staff login, `api token <id>`, `agent <id>`, `system`.
      return c.json({
        items: entries.map((a) => ({ ...auditView(a), actorName: actorLabel(a.actor, staff) })),
      })
    },
  )
}
