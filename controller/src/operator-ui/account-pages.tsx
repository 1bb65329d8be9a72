/** One's own account: who one is, and a password change (current password, new one twice); other sessions end. */
import type { Hono } from 'hono'
import { LoginThrottle } from '../auth/login-throttle.js'
import { hashPassword, verifyPassword } from '../auth/passwords.js'
import { ROLE_LABELS } from '../auth/roles.js'
import { changeOwnPassword } from '../domain/staff.js'
import { ApiError } from '../errors.js'
import { formAction } from '../ui/form-action.js'
import { FormCheck } from '../ui/form-check.js'
import { readForm } from '../ui/form-input.js'
import { fieldError } from '../ui/form-refusal.js'
import { Field } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import { OperatorPage } from './layout.js'
import type { OperatorEnv } from './operator-auth.js'
import { type Frame, frame, type OperatorKit } from './operator-kit.js'
import { newPasswordField } from './staff-form-input.js'

export function accountPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  const guesses = new LoginThrottle()

  ui.get('/account/password', kit.page, (c) =>
    c.html(<PasswordPage frame={frame(c)} name={c.var.user.name ?? c.var.user.username} />),
  )

  ui.post('/account/password', kit.action('self'), (c) =>
    formAction(c, 'operator', '/account/password', async () => {
      const { user, session } = c.var
      const form = await readForm(c)
      // A stolen session must not become an oracle for the password: guesses are throttled per account.
      // Both keys are the account's: a client address would let one account's guesses block another's.
      const keys = { login: `password-change:${user.id}`, address: `account:${user.id}` }
      const attempt = await guesses.admit(keys, env.clock.now())
      if (attempt.outcome === 'throttled') {
        const minutes = Math.ceil(attempt.waitSeconds / 60)
        throw new ApiError(
          429,
          'throttled',
          `Too many wrong passwords; try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}. Nothing was changed.`,
        )
      }
      const check = new FormCheck()
      if (await verifyPassword(form.currentPassword ?? '', user.passwordHash)) attempt.succeeded()
      else check.add(fieldError('currentPassword', 'Current password', 'The current password is wrong.'))
      const { password } = check.doneAll({
        password: check.read(() => newPasswordField(form, user.username, 'confirmPassword')),
      })
      const passwordHash = await hashPassword(password)
      await store.transact((tx) =>
        changeOwnPassword(tx, env, c.var.actor, {
          userId: user.id,
          sessionId: session.id,
          oldHash: user.passwordHash,
          passwordHash,
        }),
      )
      return { message: 'Your password is changed. Your other sessions have ended.' }
    }),
  )
}

function PasswordPage({ frame, name }: { frame: Frame; name: string }) {
  return (
    <OperatorPage {...frame} title="Your account" section="account">
      <h1>Your account</h1>
      <dl class="facts">
        <dt>Login</dt>
        <dd>{frame.username}</dd>
        <dt>Name</dt>
        <dd>{name}</dd>
        <dt>Role</dt>
        <dd>{ROLE_LABELS[frame.role]}</dd>
      </dl>
      <NamedForm
        id="change-password"
        title="Change password"
        action="/account/password"
        csrf={frame.csrf}
        submit="Change password"
        intro={<p class="hint">Your other sessions (other browsers, other devices) end; this one stays.</p>}
      >
        <Field
          id="current-password"
          name="currentPassword"
          label="Current password"
          type="password"
          required
          autocomplete="current-password"
        />
        <Field
          id="new-password"
          name="newPassword"
          label="New password"
          type="password"
          required
          autocomplete="new-password"
          hint="12 to 128 characters, not your login. A passphrase of several words is good."
        />
        <Field
          id="confirm-password"
          name="confirmPassword"
          label="New password again"
          type="password"
          required
          autocomplete="new-password"
        />
      </NamedForm>
    </OperatorPage>
  )
}
