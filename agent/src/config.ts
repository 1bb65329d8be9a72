/** The agent's config file: one zod schema with documented defaults; errors name the bad field. */
import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { LOG_LEVELS } from '@capd/log'
import { agentIdFromToken, ListenAddress, parseIpPrefix } from '@capd/protocol'
import { z } from 'zod'
import { CoaEnforcer } from './config-coa.js'
import {
  ControllerUrl,
  ControllerUrls,
  controllersProblem,
  controllerUrls,
  plainControllerUrl,
} from './config-controllers.js'
import { readCaFile } from './controller-tls.js'

const NftablesRouter = z.strictObject({
  kind: z.literal('nftables'),
  /** Run `nft` inside this network namespace (`ip netns exec`); default: the agent's own. */
  netns: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
})

/**
 * The PPP sessions this box terminates (a Linux BRAS), for subscribers known by login: their
 * addresses are their sessions' current ones, read at every poll.
 */
const NftablesSessions = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      /** accel-pppd: `accel-cmd show sessions` over its CLI. */
      kind: z.literal('accel-ppp'),
      /** The accel-cmd program (an absolute path); default `accel-cmd` on the agent's PATH. */
      accelCmd: z
        .string()
        .refine((path) => path.startsWith('/'), { error: 'accelCmd must be an absolute path' })
        .optional(),
      /** accel-pppd's `[cli] tcp=` address when not accel-cmd's default (127.0.0.1:2001). */
      host: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    }),
    z.strictObject({
      /** Any program printing one `login address [ifname]` per line (pppd ip-up scripts, other BRASes). */
      kind: z.literal('command'),
      /** The program (an absolute path) and its arguments; run without a shell. */
      argv: z
        .array(z.string().min(1))
        .min(1, { error: 'needs the program to run' })
        .refine((argv) => argv.length === 0 || argv[0]!.startsWith('/'), {
          error: 'argv[0] must be an absolute path',
        }),
      timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    }),
  ],
  { error: 'sessions.kind must be "accel-ppp" or "command"' },
)

/** The agent's own box as the router, which may also terminate the subscribers' PPP sessions. */
const NftablesBras = NftablesRouter.extend({ sessions: NftablesSessions.optional() })

const SimulatedRouter = z.strictObject({
  kind: z.literal('simulated'),
  /** Average rate each simulated subscriber downloads at. */
  bytesPerSecond: z.number().int().positive().default(2_000_000),
})

/** A secret inline, or `file:///path` to a file holding it (keeps it out of process lists). */
const Secret = z.string().min(1)

const RouterOsRouter = z.strictObject({
  kind: z.literal('routeros'),
  host: z.string().min(1),
  /** Default 8728, or 8729 with TLS. */
  port: z.number().int().min(1).max(65535).optional(),
  /** api-ssl: `true` verifies the router's certificate against the system CAs; `ca` names a PEM file. */
  tls: z
    .union([
      z.boolean(),
      z.strictObject({
        ca: z.string().min(1).optional(),
        /** RouterOS api-ssl without a certificate: encrypted but not authenticated. Off unless set. */
        allowAnonymousDh: z.boolean().default(false),
      }),
    ])
    .optional(),
  user: z.string().min(1),
  password: Secret,
  /** Take over an existing simple queue that targets the subscriber's address. */
  adoptExistingQueues: z.boolean().default(false),
  /** Add the filter rule that drops `capd-blocked` above FastTrack if it is missing. */
  manageFilterRule: z.boolean().default(true),
})

const SnmpRouter = z
  .strictObject({
    kind: z.literal('snmp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    version: z.enum(['2c', '3']).default('2c'),
    community: Secret.optional(),
    user: z.string().min(1).optional(),
    authProtocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha'),
    authKey: Secret.optional(),
    privProtocol: z.enum(['aes', 'aes256b', 'aes256r']).default('aes'),
    privKey: Secret.optional(),
    /** Interfaces by ifName (IF-MIB), or MikroTik simple queues by name. */
    table: z.enum(['ifName', 'mikrotikQueue']).default('ifName'),
    /** Which counter is the subscriber's download (default: `out`, as seen from the router). */
    downloadIs: z.enum(['in', 'out']).optional(),
    /** How a subscriber's interface or queue is named: `{login}`, `{subscriberId}`, `{address}`. */
    namePattern: z.string().min(1).default('<pppoe-{login}>'),
    /** Names that do not follow the pattern, by subscriber id. */
    names: z.record(z.string(), z.string().min(1)).optional(),
    /** Who blocks and throttles: this Linux box or a RouterOS router. */
    enforcer: z.discriminatedUnion('kind', [NftablesRouter, RouterOsRouter], {
      error: 'enforcer.kind must be "nftables" or "routeros"',
    }),
  })
  .refine((r) => r.version !== '2c' || r.community !== undefined, {
    path: ['community'],
    error: 'is required for SNMP v2c',
  })
  .refine((r) => r.version !== '3' || (r.user && r.authKey && r.privKey), {
    path: ['user'],
    error: 'SNMPv3 needs user, authKey and privKey (authPriv)',
  })

const RadiusClient = z.strictObject({
  /** The NAS (or forwarding RADIUS server) by address or prefix: `192.0.2.7`, `10.20.0.0/16`. */
  address: z.string().refine(
    (text) => {
      try {
        parseIpPrefix(text)
        return true
      } catch {
        return false
      }
    },
    { error: 'must be an IPv4/IPv6 address or prefix (no host bits set)' },
  ),
  /** The shared secret, or `file:///path` to a file holding it. */
  secret: Secret,
  /** For logs. */
  name: z.string().min(1).max(64).optional(),
})

const RadiusRouter = z.strictObject({
  kind: z.literal('radius'),
  /** Where Accounting-Requests arrive. */
  listen: z
    .strictObject({
      address: z
        .string()
        .refine((a) => isIP(a) !== 0, { error: 'must be an IP address' })
        .default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(1813),
    })
    .default({ address: '0.0.0.0', port: 1813 }),
  /** Who may send accounting, each with its secret; the longest matching prefix wins. */
  clients: z.array(RadiusClient).min(1, { error: 'needs at least one client' }),
  /** Who blocks and throttles: this Linux box, a RouterOS router, or the NAS by CoA; absent = count only. */
  enforcer: z
    .discriminatedUnion('kind', [NftablesRouter, RouterOsRouter, CoaEnforcer], {
      error: 'enforcer.kind must be "nftables", "routeros" or "coa"',
    })
    .optional(),
})

/** TLS for the `wss://` connection to the controller (every one of them). */
const ControllerTls = z.strictObject({
  /** A PEM file of the CA(s) to trust for the controller instead of the system's (pins a private CA). */
  ca: z.string().min(1),
})

export const AgentConfig = z
  .strictObject({
    /** `ws://host:port` or `wss://…` of the controller. */
    controller: ControllerUrl.optional(),
    /** Instead of `controller`: several controllers sharing one store, in order of preference. */
    controllers: ControllerUrls.optional(),
    controllerTls: ControllerTls.optional(),
    /** The agent token from `POST /api/v1/agents`, or `file:///path` to a file holding it. */
    token: z.string().min(1),
    stateDir: z.string().min(1).default('./agent-state'),
    /** How often counters are read. */
    pollIntervalMs: z.number().int().min(100).max(60_000).default(1000),
    /** The faster interval used while any subscriber is close to the cap. */
    fastPollIntervalMs: z.number().int().min(50).max(60_000).default(250),
    /**
     * The most of its time the agent spends reading the router: after a reading that took d ms the
     * next waits at least d × (1 − share) / share ms (see poll-share.ts). 1 = no such wait.
     */
    pollShare: z.number().gt(0).max(1).default(0.5),
    /** `observe` counts and reports but never blocks or throttles: for a safe first deployment. */
    mode: z.enum(['enforce', 'observe']).default('enforce'),
    /** The fastest a subscriber's link can move bytes; larger counter jumps are anomalies, not usage. */
    linkSpeedMbps: z.number().positive().max(1_000_000).default(10_000),
    /** How much the agent logs (JSON lines on stdout); `--log-level` and CAPD_LOG_LEVEL override it. */
    logLevel: z.enum(LOG_LEVELS).default('info'),
    /** `HOST:PORT` to serve Prometheus metrics (`/metrics`) and `/healthz` on, e.g. `127.0.0.1:9470`; absent = none. */
    metricsListen: ListenAddress.optional(),
    router: z.discriminatedUnion(
      'kind',
      [NftablesBras, RouterOsRouter, SnmpRouter, RadiusRouter, SimulatedRouter],
      {
        error: 'router.kind must be "nftables", "routeros", "snmp", "radius" or "simulated"',
      },
    ),
  })
  .superRefine((c, ctx) => {
    const problem = controllersProblem(c)
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message })
    const plain = c.controllerTls === undefined ? undefined : plainControllerUrl(c)
    if (plain)
      ctx.addIssue({
        code: 'custom',
        path: ['controllerTls'],
        message: `applies to wss:// only: ${plain} is a ws:// URL (no TLS)`,
      })
  })
export type AgentConfig = z.infer<typeof AgentConfig>

export interface LoadedConfig extends AgentConfig {
  agentId: string
  /** The controllers in order of preference: `controllers`, or the one `controller`. */
  controllerUrls: string[]
  /** The PEM text of `controllerTls.ca`, read at start. */
  controllerCa?: string
}

/** Validates a parsed config document; resolves `file://` secrets. Throws with every bad field named. */
export async function loadAgentConfig(doc: unknown): Promise<LoadedConfig> {
  const result = AgentConfig.safeParse(doc)
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`)
    throw new Error(`bad agent config: ${problems.join('; ')}`)
  }
  const config = result.data
  const token = await secret(config.token, 'token')
  const agentId = agentIdFromToken(token)
  if (!agentId) throw new Error('bad agent config: token: not an agent token (capda_<agentId>.<secret>)')
  const controllerCa = config.controllerTls ? await readCaFile(config.controllerTls.ca) : undefined
  return {
    ...config,
    token,
    agentId,
    controllerUrls: controllerUrls(config),
    router: await resolveRouterSecrets(config.router),
    ...(controllerCa ? { controllerCa } : {}),
  }
}

async function resolveRouterSecrets(router: AgentConfig['router']): Promise<AgentConfig['router']> {
  if (router.kind === 'routeros')
    return { ...router, password: await secret(router.password, 'router.password') }
  if (router.kind === 'radius') {
    const clients = []
    for (const [i, client] of router.clients.entries()) {
      clients.push({ ...client, secret: await secret(client.secret, `router.clients.${i}.secret`) })
    }
    return {
      ...router,
      clients,
      ...(router.enforcer ? { enforcer: await enforcerSecrets(router.enforcer) } : {}),
    }
  }
  if (router.kind !== 'snmp') return router
  const enforcer = await enforcerSecrets(router.enforcer)
  return {
    ...router,
    enforcer,
    ...(router.community ? { community: await secret(router.community, 'router.community') } : {}),
    ...(router.authKey ? { authKey: await secret(router.authKey, 'router.authKey') } : {}),
    ...(router.privKey ? { privKey: await secret(router.privKey, 'router.privKey') } : {}),
  }
}

async function enforcerSecrets<T extends { kind: string; password?: string }>(enforcer: T): Promise<T> {
  if (enforcer.kind === 'coa') {
    const coa = enforcer as unknown as CoaEnforcer
    const nas = []
    for (const [i, entry] of coa.nas.entries()) {
      nas.push({ ...entry, secret: await secret(entry.secret, `router.enforcer.nas.${i}.secret`) })
    }
    return { ...enforcer, nas }
  }
  if (enforcer.kind !== 'routeros' || enforcer.password === undefined) return enforcer
  return { ...enforcer, password: await secret(enforcer.password, 'router.enforcer.password') }
}

/** An inline secret, or the contents of the `file://` URL it names. */
async function secret(value: string, field: string): Promise<string> {
  if (!value.startsWith('file://')) return value
  try {
    return (await readFile(new URL(value), 'utf8')).trim()
  } catch (err) {
    throw new Error(`bad agent config: ${field}: cannot read ${value}: ${(err as Error).message}`)
  }
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
