/** The agents page: the live table (status, last seen, version, driver, subscribers, revoke), enrolment, and the token shown once. */
import type { Agent } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { ago, dateTime } from '../ui/format.js'
import { ActionForm, Field, Select } from '../ui/forms.js'
import { NamedForm } from '../ui/named-form.js'
import { AgentAnomalies, type AnomalyRow } from './agent-anomalies.js'
import { AGENT_STATE_DIR, type AgentDriver, PLACEHOLDER, travelsInClear } from './agent-config.js'
import { AgentProblems, type SkippedRule } from './agent-problems-view.js'
import { OperatorPage } from './layout.js'
import { can, type Frame } from './operator-kit.js'

export type AgentStatus = 'online' | 'offline' | 'revoked'

export interface AgentRow {
  agent: Agent
  status: AgentStatus
  subscribers: number
}

export interface Enrolled {
  agent: Agent
  token: string
  driver: AgentDriver
  /** The controller URL written in the config. */
  controller: string
  config: string
}

export interface AgentsPageProps {
  frame: Frame
  rows: readonly AgentRow[]
  /** Usage agents reported that was not booked (see agent-anomalies.tsx). */
  anomalies?: readonly AnomalyRow[]
  /** Rules the agents report they skipped; shown above the table. */
  problems: readonly SkippedRule[]
  problemsOmitted: number
  nowMs: number
  timeZone: string
  /** Only in the answer to the enrolment itself: the token is never stored in clear nor shown again. */
  enrolled?: Enrolled
}

export function AgentsPage(p: AgentsPageProps) {
  return (
    <OperatorPage {...p.frame} title="Agents" section="agents" live>
      <h1>Agents</h1>
      {p.enrolled ? <EnrolledAgent {...p.enrolled} /> : null}
      <div id="agents" class="table-wrap" data-live>
        <AgentProblems problems={p.problems} omitted={p.problemsOmitted} />
        <AgentTable rows={p.rows} mayRevoke={can(p.frame, 'agents')} nowMs={p.nowMs} timeZone={p.timeZone} />
      </div>
      <AgentAnomalies rows={p.anomalies ?? []} nowMs={p.nowMs} timeZone={p.timeZone} />
      {can(p.frame, 'agents') ? <EnrolForm csrf={p.frame.csrf} /> : null}
    </OperatorPage>
  )
}

function EnrolForm({ csrf }: { csrf: string }) {
  return (
    <NamedForm
      id="enrol-agent"
      title="Enrol an agent"
      action="/agents"
      csrf={csrf}
      submit="Enrol agent"
      once
      intro={<p class="hint">An agent runs beside one router. Enrolling gives it a token, shown once.</p>}
    >
      <Field id="agent-name" name="name" label="Agent name" required placeholder="tower-1" />
      <Select
        id="agent-driver"
        name="driver"
        label="Router"
        hint="What the agent counts and enforces with; its configuration is shown with the token."
        options={[
          { value: 'nftables', label: 'Linux router (nftables), the agent runs on it' },
          { value: 'routeros', label: 'MikroTik RouterOS, through its API' },
          { value: 'snmp', label: 'Counters over SNMP, enforced with nftables here' },
        ]}
        value="nftables"
      />
    </NamedForm>
  )
}

function AgentTable(p: { rows: readonly AgentRow[]; mayRevoke: boolean; nowMs: number; timeZone: string }) {
  return (
    <DataTable
      rows={p.rows}
      empty="No agents yet. Enrol the first one below."
      wrap={false}
      columns={[
        { header: 'Name', cell: ({ agent }) => agent.name },
        { header: 'Status', cell: ({ status }) => <span class={`badge ${status}`}>{status}</span> },
        { header: 'Last seen', cell: ({ agent }) => <LastSeen atMs={agent.lastSeenAtMs} {...p} /> },
        { header: 'Version', cell: ({ agent }) => agent.agentVersion ?? '—' },
        { header: 'Driver', cell: ({ agent }) => agent.driver ?? '—' },
        { header: 'Subscribers', num: true, cell: ({ subscribers }) => subscribers },
        {
          header: 'Actions',
          cell: ({ agent, status }) =>
            status === 'revoked' || !p.mayRevoke ? null : (
              // A link to a confirmation: a revoked agent cannot come back, so one click is not enough.
              <a
                class="button danger"
                href={`/agents/${agent.id}/revoke`}
                aria-label={`Revoke ${agent.name}`}
              >
                Revoke
              </a>
            ),
        },
      ]}
    />
  )
}

function LastSeen(p: { atMs: number | undefined; nowMs: number; timeZone: string }) {
  if (p.atMs === undefined) return 'never'
  return (
    <time datetime={new Date(p.atMs).toISOString()} title={dateTime(p.atMs, p.timeZone)}>
      {ago(p.atMs, p.nowMs)}
    </time>
  )
}

function EnrolledAgent({ agent, token, driver, controller, config }: Enrolled) {
  return (
    <section class="card enrolled" aria-labelledby="enrolled-title">
      <h2 id="enrolled-title">Agent "{agent.name}" enrolled</h2>
      <p class="notice pending" role="status">
        Copy the token now: it is shown only once. capd keeps only its hash, so it cannot show it again. If it
        is lost, enrol a new agent and revoke this one.
      </p>
      <p class="hint">Token of agent {agent.id}:</p>
      <p id="agent-token" class="secret">
        {token}
      </p>
      {travelsInClear(controller) ? <PlainTextNotice controller={controller} /> : null}
      <h3>Agent configuration</h3>
      <p>
        Save this as <code>/etc/capd/agent.json</code> on the agent's machine and start it with{' '}
        <code>capd agent --config /etc/capd/agent.json</code>; it keeps its journal in{' '}
        <code>{AGENT_STATE_DIR}</code>. <DriverHint driver={driver} /> To keep the token out of the file, put
        it in a file of its own and write <code>"token": "file:///etc/capd/agent-token"</code>. For a trial
        without a router, set <code>"router"</code> to <code>{'{ "kind": "simulated" }'}</code>.
      </p>
      {controller.startsWith('wss:') ? (
        <p class="hint">
          If the controller's certificate comes from a private CA, give the agent that CA:{' '}
          <code>"controllerTls": {'{ "ca": "/etc/capd/ca.pem" }'}</code>.
        </p>
      ) : null}
      <pre class="secret config">
        <code>{config}</code>
      </pre>
    </section>
  )
}

/** The operator came over plain http from the network: the agent would too. */
function PlainTextNotice({ controller }: { controller: string }) {
  return (
    <p id="agent-plain-text" class="notice error" role="alert">
      This controller was reached without TLS, so the configuration below says <code>{controller}</code>: the
      agent would send its token and receive every limit unencrypted, and anyone on the path could read the
      token or pose as the controller. Give the controller TLS (nginx in front of it, or{' '}
      <code>--tls-cert</code> and <code>--tls-key</code>; see the README, "TLS and reverse proxies"), then
      write the <code>wss://</code> address in <code>"controller"</code>.
    </p>
  )
}

function DriverHint({ driver }: { driver: AgentDriver }) {
  switch (driver) {
    case 'nftables':
      return (
        <>
          It is for an agent on the Linux router itself: it changes nftables there, so it needs CAP_NET_ADMIN
          (install it with <code>install.sh --agent-only --nftables</code>).
        </>
      )
    case 'routeros':
      return (
        <>
          It drives a MikroTik router through its API: replace each <code>{PLACEHOLDER}</code> with the
          router's address and the API user and password capd uses. Prefer api-ssl: <code>"port": 8729</code>{' '}
          and <code>"tls": {'{ "ca": "/etc/capd/router-ca.pem" }'}</code>. The password can be a{' '}
          <code>file://</code> path too. It only talks to the router over the network: no Linux capability (
          <code>install.sh --agent-only</code>).
        </>
      )
    case 'snmp':
      return (
        <>
          It reads counters over SNMP (IF-MIB interfaces named <code>{'<pppoe-{login}>'}</code>, see{' '}
          <code>namePattern</code>) and enforces with nftables on its own machine, so it needs CAP_NET_ADMIN
          (install it with <code>install.sh --agent-only --nftables</code>); an <code>"enforcer"</code> of
          kind <code>routeros</code> enforces on a MikroTik instead, with no Linux capability. Replace each{' '}
          <code>{PLACEHOLDER}</code> with the router's address and SNMP v2c community (or use version 3 with
          user, authKey and privKey).
        </>
      )
  }
}

/** Asks before revoking: the agent's token stops working for good. */
export function RevokeAgentPage(p: { frame: Frame; agent: Agent; subscribers: number }) {
  const { agent } = p
  return (
    <OperatorPage {...p.frame} title={`Revoke ${agent.name}`} section="agents">
      <h1>Revoke agent "{agent.name}"?</h1>
      <p>
        Its token stops working at once: the agent is disconnected and cannot sync again. Usage it has not
        delivered yet is not booked, and the {p.subscribers} subscriber{p.subscribers === 1 ? '' : 's'} it
        enforces get no new limits until you move them to another agent (Edit subscriber on each one's page).
        The router keeps the rules it has now.
      </p>
      <div class="actions">
        <ActionForm
          action={`/agents/${agent.id}/revoke`}
          csrf={p.frame.csrf}
          submit="Revoke agent"
          kind="danger"
        />
        <a class="button secondary" href="/agents">
          Cancel
        </a>
      </div>
    </OperatorPage>
  )
}
