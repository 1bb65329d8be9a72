/**
 * What an agent's release can take, from the version its hello names. An agent checks every message
 * against its own (strict) schemas, so one limit it cannot parse makes it drop the whole `sync` or
 * `limits` message it came in: such a limit must not be sent to it at all.
 */
import type { RuleProblem, SubscriberLimit } from '@capd/protocol'
import type { Tx } from '../store/store.js'

/** The first agent release that takes a limit with no `address` (a subscriber known by login). */
export const FIRST_LOGIN_ONLY_AGENT_VERSION = '0.2.0'

const RELEASE = /^(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:[-+].*)?$/

/** `major.minor.patch` of a release version (a pre-release or build suffix is ignored); undefined if not one. */
export function releaseOf(version: string): [number, number, number] | undefined {
  const m = RELEASE.exec(version)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

function atLeast(version: string, first: string): boolean {
  const have = releaseOf(version)
  const need = releaseOf(first)!
  if (!have) return false
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i]! > need[i]!
  return true
}

/**
 * Whether an agent reporting `agentVersion` can parse a limit without an address. Every agent built
 * before it could says `0.1.0`; a version that is not a release number at all is not trusted either:
 * a limit held back costs one subscriber's enforcement, a limit the agent cannot parse costs every
 * subscriber's updates on that agent.
 */
export function takesLoginOnly(agentVersion: string): boolean {
  return atLeast(agentVersion, FIRST_LOGIN_ONLY_AGENT_VERSION)
}

/** Whether this limit can be sent to an agent reporting `agentVersion`. */
export function agentTakes(agentVersion: string, limit: Pick<SubscriberLimit, 'address'>): boolean {
  return limit.address !== undefined || takesLoginOnly(agentVersion)
}

/** Shown with the agent's problems for a subscriber the controller holds back from it. */
export function heldBackProblem(subscriberId: string, agentVersion: string): RuleProblem {
  return {
    subscriberId,
    code: 'agent_too_old',
    message:
      `agent ${agentVersion.slice(0, 64)} cannot take a subscriber without an address: upgrade the agent ` +
      `to ${FIRST_LOGIN_ONLY_AGENT_VERSION} or later, or give the subscriber an address`,
  }
}

/**
 * The problems of the agent's subscribers the controller holds back from it, as of its last hello:
 * those without an address, when its version cannot take them.
 */
export function heldBackProblems(
  agent: { readonly agentVersion?: string | undefined },
  subscribers: readonly {
    readonly id: string
    readonly address?: string | undefined
    readonly deletedAtMs?: number | undefined
  }[],
): RuleProblem[] {
  const version = agent.agentVersion
  if (version === undefined || takesLoginOnly(version)) return []
  return subscribers
    .filter((s) => s.address === undefined && s.deletedAtMs === undefined)
    .map((s) => heldBackProblem(s.id, version))
}

/** heldBackProblems read from the store; none for a revoked agent (it gets nothing at all). */
export async function heldBackProblemsOf(
  tx: Tx,
  agent: {
    readonly id: string
    readonly agentVersion?: string | undefined
    readonly revokedAtMs?: number | undefined
  },
): Promise<RuleProblem[]> {
  if (
    agent.revokedAtMs !== undefined ||
    agent.agentVersion === undefined ||
    takesLoginOnly(agent.agentVersion)
  )
    return []
  return heldBackProblems(agent, await tx.subscribers.forAgent(agent.id))
}
