/**
 * Staff roles and what each may change. Every role may read every operator page; a form post
 * names the one permission it needs, and only the roles listed for it may send it.
 */

export const ROLES = ['admin', 'billing', 'support'] as const
export type Role = (typeof ROLES)[number]

/**
 * - `public`: needs no login (the login form itself).
 * - `self`: one's own session and password (log out, change password).
 * - `subscribers`: add and edit subscribers.
 * - `billing`: top-ups, payments, auto top-up settings.
 * - `lifecycle`: suspend, resume and delete subscribers (money decisions: not for support).
 * - `catalog`: plans and top-up plans.
 * - `agents`: enrol and revoke agents.
 * - `staff`: staff accounts (add, role, disable, reset password).
 * - `settings`: the ISP's settings (billing choices; branding: name, contact, address, tax id, logo).
 */
export type Permission =
  | 'public'
  | 'self'
  | 'subscribers'
  | 'billing'
  | 'lifecycle'
  | 'catalog'
  | 'agents'
  | 'staff'
  | 'settings'

/** The role matrix (documented in the README under "Staff accounts"). */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ['public', 'self', 'subscribers', 'billing', 'lifecycle', 'catalog', 'agents', 'staff', 'settings'],
  billing: ['public', 'self', 'subscribers', 'billing', 'lifecycle'],
  support: ['public', 'self'],
}

export const may = (role: Role, permission: Permission): boolean =>
  ROLE_PERMISSIONS[role]?.includes(permission) ?? false

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role)

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  admin: 'Admin: everything, staff accounts and settings included',
  billing:
    'Billing: subscribers (suspend and delete too), top-ups, payments, invoices (void, credit notes), auto top-up',
  support: 'Support: read-only',
}
