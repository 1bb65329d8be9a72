/** Reading the staff forms: a login, a name, a role, a new password (checked against the policy). */
import { passwordProblem } from '../auth/password-policy.js'
import { isRole, type Role } from '../auth/roles.js'
import { FormCheck } from '../ui/form-check.js'
import { fieldError } from '../ui/form-refusal.js'
import { type FormFields, requiredText } from '../ui/form-values.js'

export function roleField(form: FormFields): Role {
  const role = form.role
  if (!isRole(role)) throw fieldError('role', 'Role', 'Choose admin, billing or support.')
  return role
}

/**
 * A new password as typed (never trimmed: spaces are characters), twice when `confirm` names the
 * second box: a weak one is marked on `newPassword`, a differing second one on `confirm`.
 */
export function newPasswordField(form: FormFields, login: string, confirm?: string): string {
  const password = form.newPassword ?? ''
  const problem = passwordProblem(password, login)
  if (problem) throw fieldError('newPassword', 'New password', problem)
  if (confirm !== undefined && form[confirm] !== password) {
    throw fieldError(confirm, 'New password again', 'The two new passwords differ: type the same one twice.')
  }
  return password
}

/** The new account's fields; one refusal naming each bad one. */
export function newStaffFields(form: FormFields) {
  const check = new FormCheck()
  const username = check.read(() => requiredText(form, 'username', 'Login').toLowerCase())
  return check.doneAll({
    username,
    name: check.read(() => requiredText(form, 'name', 'Name')),
    role: check.read(() => roleField(form)),
    password: check.read(() => newPasswordField(form, username ?? '')),
  })
}
