/**
 * First start of a fresh store: the admin API token from CAPD_BOOTSTRAP_TOKEN and the `admin`
 * UI user from CAPD_ADMIN_PASSWORD, each only if none exists yet. With neither and no token
 * at all, a token is generated and returned so the caller can print it once.
 */
import { audit } from '../domain/audit.js'
import type { DomainEnv } from '../domain/env.js'
import { newId } from '../ids.js'
import type { Store } from '../store/store.js'
import { hashPassword } from './passwords.js'
import { hashToken, newToken } from './tokens.js'

export interface BootstrapOptions {
  bootstrapToken?: string | undefined
  adminPassword?: string | undefined
}

export interface BootstrapResult {
  createdToken: boolean
  createdAdminUser: boolean
  /** Set only when capd made up a token itself: show it once. */
  generatedToken?: string
}

export async function bootstrap(
  store: Store,
  env: DomainEnv,
  options: BootstrapOptions,
): Promise<BootstrapResult> {
  const { bootstrapToken, adminPassword } = options
  if (bootstrapToken !== undefined && !/^[\x21-\x7e]{20,512}$/.test(bootstrapToken)) {
    throw new Error('CAPD_BOOTSTRAP_TOKEN must be 20–512 visible ASCII characters (use a random secret)')
  }
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new Error('CAPD_ADMIN_PASSWORD must be at least 8 characters')
  }
  const passwordHash = adminPassword === undefined ? undefined : await hashPassword(adminPassword)
  return store.transact(async (tx) => {
    const now = env.clock.now()
    const result: BootstrapResult = { createdToken: false, createdAdminUser: false }
    const tokens = await tx.apiTokens.list()
    if (!tokens.some((t) => t.role === 'admin' && t.revokedAtMs === undefined)) {
      const token = bootstrapToken ?? newToken('capd')
      const id = newId('tok', now)
      await tx.apiTokens.insert({
        id,
        name: 'bootstrap',
        role: 'admin',
        hash: hashToken(token),
        createdAtMs: now,
      })
      await audit(tx, env, 'system', 'api_token.create', 'api_token', id, { name: 'bootstrap' })
      result.createdToken = true
      if (bootstrapToken === undefined) result.generatedToken = token
    }
    if (passwordHash && !(await tx.users.byUsername('admin'))) {
      const id = newId('usr', now)
      // The bootstrap admin is a staff account like any other (it can be renamed in spirit, disabled
      // once another admin exists, and its password changed in the UI).
      await tx.users.insert({
        id,
        username: 'admin',
        name: 'Administrator',
        role: 'admin',
        passwordHash,
        createdAtMs: now,
        passwordChangedAtMs: now,
      })
      await audit(tx, env, 'system', 'staff.create', 'staff', id, { username: 'admin', role: 'admin' })
      result.createdAdminUser = true
    }
    return result
  })
}
