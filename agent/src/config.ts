/** The agent's config file: one zod schema with documented defaults; errors name the bad field. */
import { readFile } from 'node:fs/promises'
import { agentIdFromToken } from '@capd/protocol'
import { z } from 'zod'

const NftablesRouter = z.strictObject({
  kind: z.literal('nftables'),
  /** Run `nft` inside this network namespace (`ip netns exec`); default: the agent's own. */
  netns: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
})

const SimulatedRouter = z.strictObject({
  kind: z.literal('simulated'),
  /** Average rate each simulated subscriber downloads at. */
  bytesPerSecond: z.number().int().positive().default(2_000_000),
})

export const AgentConfig = z.strictObject({
  /** `ws://host:port` or `wss://…` of the controller. */
  controller: z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' }),
  /** The agent token from `POST /api/v1/agents`, or `file:///path` to a file holding it. */
  token: z.string().min(1),
  stateDir: z.string().min(1).default('./agent-state'),
  /** How often counters are read. */
  pollIntervalMs: z.number().int().min(100).max(60_000).default(1000),
  /** The faster interval used while any subscriber is close to the cap. */
  fastPollIntervalMs: z.number().int().min(50).max(60_000).default(250),
  /** `observe` counts and reports but never blocks or throttles: for a safe first deployment. */
  mode: z.enum(['enforce', 'observe']).default('enforce'),
  /** The fastest a subscriber's link can move bytes; larger counter jumps are anomalies, not usage. */
  linkSpeedMbps: z.number().positive().max(1_000_000).default(10_000),
  router: z.discriminatedUnion('kind', [NftablesRouter, SimulatedRouter], {
    error: 'router.kind must be "nftables" or "simulated" in this release',
  }),
})
export type AgentConfig = z.infer<typeof AgentConfig>

export interface LoadedConfig extends AgentConfig {
  agentId: string
}

/** Validates a parsed config document; resolves `file://` secrets. Throws with every bad field named. */
export async function loadAgentConfig(doc: unknown): Promise<LoadedConfig> {
  const result = AgentConfig.safeParse(doc)
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`)
    throw new Error(`bad agent config: ${problems.join('; ')}`)
  }
  const config = result.data
  const token = config.token.startsWith('file://')
    ? (await readFile(new URL(config.token), 'utf8')).trim()
    : config.token
  const agentId = agentIdFromToken(token)
  if (!agentId) throw new Error('bad agent config: token: not an agent token (capda_<agentId>.<secret>)')
  return { ...config, token, agentId }
}

export async function readAgentConfigFile(path: string): Promise<LoadedConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new Error(`cannot read config ${path}: ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new Error(`config ${path} is not valid JSON: ${(err as Error).message}`)
  }
  return loadAgentConfig(doc)
}
