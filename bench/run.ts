/** `pnpm bench`: every benchmark in sequence, each printing ratios against a baseline from the same run. */
import { cpus, loadavg } from 'node:os'
import { addressCheck } from './address-check.js'
import { agentFailover } from './agent-failover.js'
import { agentStateSave } from './agent-state-save.js'
import { backupCost } from './backup-cost.js'
import { bodyLimitCost } from './body-limit.js'
import { readConfig } from './config.js'
import { ingestScale } from './ingest-scale.js'
import { multiControllerTopUp } from './multi-controller-topup.js'
import { notifyFlood } from './notify-flood.js'
import { outageDrain } from './outage-drain.js'
import { pgIngest } from './pg-ingest.js'
import { routerBenchmarks } from './router-benchmarks.js'
import { readRouterConfig } from './router-config.js'
import { routerOsPoll } from './routeros-poll.js'
import { routerOsTopUp } from './routeros-topup.js'
import { snapshotStall } from './snapshot-stall.js'
import { snmpPoll } from './snmp-poll.js'
import { storeWriteCost } from './store-write-cost.js'
import { subscriberImport } from './subscriber-import.js'
import { topUpThroughput } from './topup-throughput.js'
import { uiPages } from './ui-pages.js'
import { usageHistorySize } from './usage-history-size.js'

// Exit (rather than die) on a signal, so the scratch dirs are removed; the children exit when
// their IPC channel closes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

const config = readConfig()
const routerConfig = readRouterConfig()
console.log(
  `capd benchmarks: Node ${process.version}, ${cpus().length} CPUs, scratch dir ${config.tmpRoot}, ` +
    `subscribers ${config.subscriberCounts.join('/')}, load average ${loadavg()[0]!.toFixed(1)} ` +
    '(other work on the machine skews every row; the ratios come from the same run)',
)
const started = performance.now()
await topUpThroughput(config)
await storeWriteCost(config)
await snapshotStall(config)
await agentStateSave(config)
await backupCost(config.subscriberCounts, config.tmpRoot)
await uiPages()
await bodyLimitCost()
addressCheck()
await subscriberImport()
await outageDrain(config)
await agentFailover(config)
await notifyFlood()
// Needs a PostgreSQL server (CAPD_TEST_DATABASE_URL); says "skipped" otherwise.
await pgIngest()
// 100 agents, 10k and 100k subscribers, embedded vs PostgreSQL (PostgreSQL rows skip without one).
await ingestScale()
await usageHistorySize()
await routerBenchmarks(routerConfig)
// Needs root and a PostgreSQL server; says "skipped" otherwise.
await multiControllerTopUp(routerConfig)
await routerOsPoll()
await routerOsTopUp(config)
// Needs root (namespaces) and snmpd; says "skipped: needs root" otherwise.
await snmpPoll()
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s`)
