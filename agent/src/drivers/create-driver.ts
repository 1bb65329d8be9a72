/** Builds the router driver the config names. */
import { readFile } from 'node:fs/promises'
import { type Logger, silentLogger } from '@capd/log'
import type { AgentConfig, LoadedConfig } from '../config.js'
import type { RouterDriver } from './driver.js'
import { pairCountersWithEnforcer } from './paired-driver.js'
import { createSimulatedDriver } from './simulated.js'

type RouterConfig = AgentConfig['router']
type EnforcerConfig = Extract<RouterConfig, { kind: 'snmp' }>['enforcer']

/** `logger` hears what the driver warns of (as `component: driver`). */
export async function createDriver(
  config: LoadedConfig,
  logger: Logger = silentLogger,
): Promise<RouterDriver> {
  const router = config.router
  const log = logger.child({ agentId: config.agentId, component: 'driver' })
  switch (router.kind) {
    case 'simulated':
      return createSimulatedDriver({ bytesPerSecond: router.bytesPerSecond })
    case 'nftables': {
      if (!router.sessions) return createEnforcer(router, log)
      const { createNftablesDriver } = await import('./nftables/nftables-driver.js')
      const { createSessionSource } = await import('./nftables/session-source.js')
      return createNftablesDriver({
        ...(router.netns ? { netns: router.netns } : {}),
        sessions: createSessionSource(router.sessions, (line) => log.warn(line)),
      })
    }
    case 'routeros':
      return createEnforcer(router, log)
    case 'snmp': {
      const { createSnmpCounterSource } = await import('./snmp/counter-source.js')
      const credentials =
        router.version === '2c'
          ? { version: '2c' as const, community: router.community! }
          : {
              version: '3' as const,
              user: router.user!,
              authProtocol: router.authProtocol,
              authKey: router.authKey!,
              privProtocol: router.privProtocol,
              privKey: router.privKey!,
            }
      const source = createSnmpCounterSource({
        host: router.host,
        ...(router.port ? { port: router.port } : {}),
        ...credentials,
        table: router.table,
        ...(router.downloadIs ? { downloadIs: router.downloadIs } : {}),
      })
      return pairCountersWithEnforcer(source, await createEnforcer(router.enforcer, log), {
        namePattern: router.namePattern,
        ...(router.names ? { names: router.names } : {}),
      })
    }
    case 'radius': {
      const { createRadiusAccounting } = await import('./radius/accounting-server.js')
      const { createRadiusDriver } = await import('./radius/radius-driver.js')
      const source = createRadiusAccounting({
        host: router.listen.address,
        port: router.listen.port,
        clients: router.clients,
        stateDir: config.stateDir,
        log: logger.child({ agentId: config.agentId, component: 'radius' }),
      })
      const enforcer = router.enforcer
      if (enforcer?.kind === 'coa') {
        const { createCoaEnforcer } = await import('./radius/coa-enforcer.js')
        const coa = createCoaEnforcer({
          ...enforcer,
          sessions: source,
          log: logger.child({ agentId: config.agentId, component: 'coa' }),
        })
        return createRadiusDriver(source, coa)
      }
      return createRadiusDriver(source, enforcer && (await createEnforcer(enforcer, log)))
    }
  }
}

async function createEnforcer(router: EnforcerConfig, logger: Logger): Promise<RouterDriver> {
  if (router.kind === 'nftables') {
    const { createNftablesDriver } = await import('./nftables/nftables-driver.js')
    return createNftablesDriver(router.netns ? { netns: router.netns } : {})
  }
  const { createRouterOsDriver } = await import('./routeros/routeros-driver.js')
  const tls =
    router.tls === undefined || router.tls === false
      ? undefined
      : router.tls === true
        ? {}
        : {
            ...(router.tls.ca ? { ca: await readFile(router.tls.ca, 'utf8') } : {}),
            allowAnonymousDh: router.tls.allowAnonymousDh,
          }
  return createRouterOsDriver({
    host: router.host,
    ...(router.port ? { port: router.port } : {}),
    ...(tls ? { tls } : {}),
    user: router.user,
    password: router.password,
    adoptExistingQueues: router.adoptExistingQueues,
    manageFilterRule: router.manageFilterRule,
    log: (line) => logger.warn(line),
  })
}
