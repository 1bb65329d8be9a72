/** `pnpm exec tsx bench/run-router.ts`: only the router benchmarks (root), which `pnpm bench` also runs. */
import { cpus, loadavg } from 'node:os'
import { routerBenchmarks } from './router-benchmarks.js'
import { readRouterConfig } from './router-config.js'

// Exit (rather than die) on a signal, so namespaces, scratch dirs and child processes are cleaned up.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

const config = readRouterConfig()
console.log(
  `capd router benchmarks: Node ${process.version}, ${cpus().length} CPUs, scratch dir ${config.tmpRoot}, ` +
    `load average ${loadavg()[0]!.toFixed(1)} (the ratios come from the same run)`,
)
const started = performance.now()
await routerBenchmarks(config)
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s`)
