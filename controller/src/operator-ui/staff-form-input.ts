/** Reading the staff forms: a login, a name, a role, a new password (checked against the policy). */
import { checkNewPassword } from '../auth/password-policy.js'
import { isRole, type Role } from '../auth/roles.js'
import { type FormFields, fieldError, requiredText } from '../ui/form-values.js'

export function roleField(form: FormFields): Role {
  const role = form.role
  if (!isRole(role)) throw fieldError('Role', 'choose admin, billing or support')
  return role
}

/** A new password as typed (never trimmed: spaces are characters), twice when `confirm` names the second box. */
export function newPasswordField(form: FormFields, login: string, confirm?: string): string {
  const password = form.newPassword ?? ''
  if (confirm !== undefined && form[confirm] !== password) {
    throw fieldError('New password', 'the two new passwords differ')
  }
  checkNewPassword(password, login)
  return password
}

export function newStaffFields(form: FormFields) {
  return {
    username: requiredText(form, 'username', 'Login').toLowerCase(),
    name: requiredText(form, 'name', 'Name'),
    role: roleField(form),
  }
}
