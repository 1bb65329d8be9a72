/** Routes of the staff pages (admins only): list and add accounts; one account's role, disable/enable, password reset. */
import type { Hono } from 'hono'
import { hashPassword } from '../auth/passwords.js'
import { notFound } from '../domain/refusal.js'
import { addStaff, changeRole, disableStaff, enableStaff, resetPassword } from '../domain/staff.js'
import { ApiError } from '../errors.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'
import { newPasswordField, newStaffFields, roleField } from './staff-form-input.js'
import { StaffListPage, StaffMemberPage } from './staff-views.js'

export function staffPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  const admin = kit.pageFor('staff')
  const act = kit.action('staff')
  const pathOf = (id: string) => `/staff/${encodeURIComponent(id)}`

  ui.get('/staff', admin, async (c) => {
    const staff = await store.peek((tx) => tx.users.list())
    return c.html(<StaffListPage frame={frame(c)} staff={staff} timeZone={env.timeZone} />)
  })

  ui.post('/staff', act, (c) =>
    formAction(c, 'operator', '/staff', async () => {
      const { password, ...fields } = newStaffFields(await readForm(c))
      const passwordHash = await hashPassword(password)
      const user = await store.transact((tx) => addStaff(tx, env, c.var.actor, { ...fields, passwordHash }))
      return { to: pathOf(user.id), message: `${user.username} can now log in as ${user.role}.` }
    }),
  )

  ui.get('/staff/:id', admin, async (c) => {
    const id = c.req.param('id')
    const member = await store.peek((tx) => tx.users.get(id))
    if (!member) throw notFound('staff account', id)
    return c.html(
      <StaffMemberPage
        frame={frame(c)}
        member={member}
        self={member.id === c.var.user.id}
        timeZone={env.timeZone}
      />,
    )
  })

  ui.post('/staff/:id/role', act, (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', pathOf(id), async () => {
      const role = roleField(await readForm(c))
      const user = await store.transact((tx) => changeRole(tx, env, c.var.actor, id, role))
      return { message: `${user.username} is now ${user.role}.` }
    })
  })

  ui.post('/staff/:id/disable', act, (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', pathOf(id), async () => {
      const user = await store.transact((tx) => disableStaff(tx, env, c.var.actor, id))
      return { message: `${user.username} is disabled and logged out everywhere.` }
    })
  })

  ui.post('/staff/:id/enable', act, (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', pathOf(id), async () => {
      const user = await store.transact((tx) => enableStaff(tx, env, c.var.actor, id))
      return { message: `${user.username} can log in again.` }
    })
  })

  ui.post('/staff/:id/password', act, (c) => {
    const id = c.req.param('id')
    return formAction(c, 'operator', pathOf(id), async () => {
      if (id === c.var.user.id) {
        throw new ApiError(
          400,
          'own_password',
          'Change your own password on your account page (it asks for the current one).',
        )
      }
      const member = await store.peek((tx) => tx.users.get(id))
      if (!member) throw notFound('staff account', id)
      const passwordHash = await hashPassword(newPasswordField(await readForm(c), member.username))
      const user = await store.transact((tx) => resetPassword(tx, env, c.var.actor, id, passwordHash))
      return { message: `${user.username} has a new password; their sessions have ended.` }
    })
  })
}
