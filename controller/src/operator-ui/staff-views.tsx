/** The staff pages: every account with its role and state, the add form, and one account's forms. */
import { ROLE_LABELS, ROLES, type Role } from '../auth/roles.js'
import type { User } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { date, dateTime } from '../ui/format.js'
import { Field, Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import { OperatorPage } from './layout.js'
import type { Frame } from './operator-kit.js'

const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }))

const PASSWORD_HINT = '12 to 128 characters, not the login. A passphrase of several words is good.'

const StaffState = ({ member }: { member: User }) =>
  member.disabledAtMs === undefined ? (
    <span class="badge active">enabled</span>
  ) : (
    <span class="badge retired">disabled</span>
  )

export function StaffListPage(p: { frame: Frame; staff: readonly User[]; timeZone: string }) {
  return (
    <OperatorPage {...p.frame} title="Staff" section="staff">
      <h1>Staff</h1>
      <div class="table-wrap catalog">
        <DataTable
          rows={p.staff}
          empty="No staff accounts."
          wrap={false}
          columns={[
            {
              header: 'Login',
              cell: (u) => <a href={`/staff/${encodeURIComponent(u.id)}`}>{u.username}</a>,
            },
            { header: 'Name', cell: (u) => u.name ?? u.username },
            { header: 'Role', cell: (u) => u.role },
            { header: 'State', cell: (u) => <StaffState member={u} /> },
            { header: 'Created', cell: (u) => date(u.createdAtMs, p.timeZone) },
          ]}
        />
      </div>
      <NamedForm
        id="new-staff"
        title="New staff account"
        action="/staff"
        csrf={p.frame.csrf}
        submit="Add account"
        intro={
          <p class="hint">Tell them their password another way; they can change it on their account page.</p>
        }
      >
        <Field id="staff-login" name="username" label="Login" required autocomplete="off" />
        <Field id="staff-name" name="name" label="Name" required autocomplete="off" />
        <Select id="staff-role" name="role" label="Role" options={ROLE_OPTIONS} value="support" />
        <Field
          id="staff-password"
          name="newPassword"
          label="Initial password"
          type="password"
          required
          autocomplete="new-password"
          hint={PASSWORD_HINT}
        />
      </NamedForm>
    </OperatorPage>
  )
}

export function StaffMemberPage(p: { frame: Frame; member: User; self: boolean; timeZone: string }) {
  const { member, frame } = p
  const base = `/staff/${encodeURIComponent(member.id)}`
  const enabled = member.disabledAtMs === undefined
  return (
    <OperatorPage {...frame} title={member.username} section="staff">
      <p>
        <a href="/staff">All staff</a>
      </p>
      <h1>{member.username}</h1>
      <dl class="facts">
        <dt>Name</dt>
        <dd>{member.name ?? member.username}</dd>
        <dt>Role</dt>
        <dd>{member.role}</dd>
        <dt>State</dt>
        <dd>
          <StaffState member={member} />
          {member.disabledAtMs === undefined ? null : ` since ${dateTime(member.disabledAtMs, p.timeZone)}`}
        </dd>
        <dt>Created</dt>
        <dd>{dateTime(member.createdAtMs, p.timeZone)}</dd>
        <dt>Password changed</dt>
        <dd>
          {member.passwordChangedAtMs === undefined ? '—' : dateTime(member.passwordChangedAtMs, p.timeZone)}
        </dd>
        <dt>History</dt>
        <dd>
          <a href={`/audit?actor=${encodeURIComponent(member.username)}`}>What they did</a>
          {' · '}
          <a href={`/audit?target=${encodeURIComponent(member.id)}`}>Changes to this account</a>
        </dd>
      </dl>
      <div class="columns">
        <RoleForm base={base} csrf={frame.csrf} role={member.role} />
        {p.self ? null : (
          <NamedForm
            id="reset-password"
            title="Reset password"
            action={`${base}/password`}
            csrf={frame.csrf}
            submit="Set password"
            intro={<p class="hint">Their sessions end; they log in with the new password.</p>}
          >
            <Field
              id="reset-new"
              name="newPassword"
              label="New password"
              type="password"
              required
              autocomplete="new-password"
              hint={PASSWORD_HINT}
            />
          </NamedForm>
        )}
        <NamedForm
          id={enabled ? 'disable-staff' : 'enable-staff'}
          title={enabled ? 'Disable account' : 'Enable account'}
          action={`${base}/${enabled ? 'disable' : 'enable'}`}
          csrf={frame.csrf}
          submit={enabled ? 'Disable' : 'Enable'}
          kind={enabled ? 'danger' : 'secondary'}
          intro={
            <p>
              {enabled
                ? 'They can no longer log in, and their open sessions end at once. The last admin cannot be disabled.'
                : 'They can log in again with their password.'}
            </p>
          }
        />
      </div>
    </OperatorPage>
  )
}

function RoleForm({ base, csrf, role }: { base: string; csrf: string; role: Role }) {
  return (
    <NamedForm
      id="staff-role"
      title="Role"
      action={`${base}/role`}
      csrf={csrf}
      submit="Save role"
      intro={<p class="hint">Takes effect on their next click. The last admin keeps the admin role.</p>}
    >
      <Select id="role" name="role" label="Role" options={ROLE_OPTIONS} value={role} />
    </NamedForm>
  )
}
