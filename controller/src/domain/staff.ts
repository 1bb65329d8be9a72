/**
 * Staff accounts: add, change role, disable or enable, reset or change a password. There is always
 * at least one enabled admin. Disabling or a new password ends the account's sessions (a changed
 * own password keeps only the session it was changed from). Hashes are made by the caller, outside
 * the transaction (scrypt is slow on purpose).
 */
import type { Role } from '../auth/roles.js'
import { newId } from '../ids.js'
import type { User } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { fieldRefusal, notFound, Refusal } from './refusal.js'

/** Logins are lower case, so `Anna` and `anna` cannot be two people. */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{1,39}$/

export interface NewStaff {
  username: string
  name: string
  role: Role
  passwordHash: string
}

export const isEnabled = (user: User) => user.disabledAtMs === undefined

async function existing(tx: Tx, id: string): Promise<User> {
  const user = await tx.users.get(id)
  if (!user) throw notFound('staff account', id)
  return user
}

/** Refuses a change that would leave no enabled admin. */
async function keepAnAdmin(tx: Tx, user: User, what: string): Promise<void> {
  if (user.role !== 'admin' || !isEnabled(user)) return
  const admins = (await tx.users.list()).filter((u) => u.role === 'admin' && isEnabled(u))
  if (admins.length <= 1) {
    throw new Refusal(
      'last_admin',
      `${user.username} is the last admin: ${what} would leave no one to manage staff.`,
    )
  }
}

/** Ends the account's live sessions, all but `keep`. */
async function endSessions(tx: Tx, userId: string, nowMs: number, keep?: string): Promise<void> {
  for (const s of await tx.operatorSessions.list()) {
    if (s.userId === userId && s.id !== keep && s.endedAtMs === undefined) {
      await tx.operatorSessions.update({ ...s, endedAtMs: nowMs })
    }
  }
}

export async function addStaff(tx: Tx, env: DomainEnv, actor: Actor, input: NewStaff): Promise<User> {
  if (!LOGIN_PATTERN.test(input.username)) {
    const rule = 'must be 2–40 lower-case letters, digits, ".", "_" or "-"'
    throw fieldRefusal('invalid_request', 'username', `The login ${rule}.`, `The login ${rule}.`)
  }
  if (await tx.users.byUsername(input.username)) {
    throw fieldRefusal(
      'login_taken',
      'username',
      `The login ${input.username} is taken.`,
      'This login is taken: choose another.',
    )
  }
  const now = env.clock.now()
  const user: User = { id: newId('usr', now), ...input, createdAtMs: now, passwordChangedAtMs: now }
  await tx.users.insert(user)
  await audit(tx, env, actor, 'staff.create', 'staff', user.id, {
    username: user.username,
    name: user.name,
    role: user.role,
  })
  return user
}

export async function changeRole(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
  role: Role,
): Promise<User> {
  const user = await existing(tx, id)
  if (user.role === role) return user
  if (role !== 'admin') await keepAnAdmin(tx, user, 'a new role')
  const changed: User = { ...user, role }
  await tx.users.update(changed)
  await audit(tx, env, actor, 'staff.role', 'staff', id, {
    username: user.username,
    from: user.role,
    to: role,
  })
  return changed
}

export async function disableStaff(tx: Tx, env: DomainEnv, actor: Actor, id: string): Promise<User> {
  const user = await existing(tx, id)
  if (!isEnabled(user)) return user
  await keepAnAdmin(tx, user, 'disabling them')
  const now = env.clock.now()
  const changed: User = { ...user, disabledAtMs: now }
  await tx.users.update(changed)
  await endSessions(tx, id, now)
  await audit(tx, env, actor, 'staff.disable', 'staff', id, { username: user.username })
  return changed
}

export async function enableStaff(tx: Tx, env: DomainEnv, actor: Actor, id: string): Promise<User> {
  const user = await existing(tx, id)
  if (isEnabled(user)) return user
  const { disabledAtMs: _, ...enabled } = user
  await tx.users.update(enabled)
  await audit(tx, env, actor, 'staff.enable', 'staff', id, { username: user.username })
  return enabled
}

/** An admin sets someone's password: all their sessions end. */
export async function resetPassword(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  id: string,
  passwordHash: string,
): Promise<User> {
  const user = await existing(tx, id)
  const now = env.clock.now()
  const changed: User = { ...user, passwordHash, passwordChangedAtMs: now }
  await tx.users.update(changed)
  await endSessions(tx, id, now)
  await audit(tx, env, actor, 'staff.password_reset', 'staff', id, { username: user.username })
  return changed
}

/**
 * Someone changes their own password, checked against `oldHash` (what the current password was
 * verified against), so two changes at once cannot both win. Their other sessions end.
 */
export async function changeOwnPassword(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  change: { userId: string; sessionId: string; oldHash: string; passwordHash: string },
): Promise<User> {
  const user = await existing(tx, change.userId)
  if (user.passwordHash !== change.oldHash) {
    throw new Refusal('conflict', 'The password was changed meanwhile; log in again with the new one.')
  }
  const now = env.clock.now()
  const changed: User = { ...user, passwordHash: change.passwordHash, passwordChangedAtMs: now }
  await tx.users.update(changed)
  await endSessions(tx, user.id, now, change.sessionId)
  await audit(tx, env, actor, 'staff.password_change', 'staff', user.id, { username: user.username })
  return changed
}
