/** What a new staff password must be (ASVS 2.1): 12 to 128 characters, not the login itself. */
import { ApiError } from '../errors.js'

export const PASSWORD_MIN_CHARS = 12
export const PASSWORD_MAX_CHARS = 128

/** Why `password` may not be used by `login`, or undefined. Characters are counted as code points. */
export function passwordProblem(password: string, login: string): string | undefined {
  const chars = [...password].length
  if (chars < PASSWORD_MIN_CHARS) return `The password must be at least ${PASSWORD_MIN_CHARS} characters.`
  if (chars > PASSWORD_MAX_CHARS) return `The password must be at most ${PASSWORD_MAX_CHARS} characters.`
  if (password.trim().toLowerCase() === login.trim().toLowerCase()) {
    return 'The password must not be the login.'
  }
  return undefined
}

/** Throws a 400 naming the problem, if any. */
export function checkNewPassword(password: string, login: string): void {
  const problem = passwordProblem(password, login)
  if (problem) throw new ApiError(400, 'weak_password', problem)
}
