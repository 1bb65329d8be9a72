/**
 * `tsx bench/run-multi-controller.ts`: only the two-controller top-up benchmark (root, PostgreSQL);
 * BENCH_TOPUPS rounds (default 100), each a top-up posted to B and one posted to A.
 */
import { cpus } from 'node:os'
import { multiControllerTopUp } from './multi-controller-topup.js'
import { readRouterConfig } from './router-config.js'

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
console.log(`capd two-controller benchmark: Node ${process.version}, ${cpus().length} CPUs`)
await multiControllerTopUp(readRouterConfig())
