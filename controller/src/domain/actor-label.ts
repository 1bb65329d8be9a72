/** Who an audit actor is, in words: a staff login, `api token <id>`, `agent <id>`, `customer <id>`, `system`. */
import type { User } from '../store/entities.js'

export function actorLabel(actor: string, staffById: ReadonlyMap<string, Pick<User, 'username'>>): string {
  const colon = actor.indexOf(':')
  if (colon < 0) return actor
  const kind = actor.slice(0, colon)
  const id = actor.slice(colon + 1)
  switch (kind) {
    case 'user':
      return staffById.get(id)?.username ?? `staff ${id}`
    case 'token':
      return `api token ${id}`
    default:
      return `${kind} ${id}`
  }
}
