/** `tsx bench/run-multi-controller.ts`: only the two-controller top-up benchmark (root, PostgreSQL). */
import { multiControllerTopUp } from './multi-controller-topup.js'
import { readRouterConfig } from './router-config.js'

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
await multiControllerTopUp(readRouterConfig())
