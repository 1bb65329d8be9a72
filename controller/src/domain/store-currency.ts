/**
 * The store's currency: recorded on the first start, and every later start must be configured
 * with the same one. Amounts are integer minor units with no conversion anywhere, so a store kept
 * in USD and run with `--currency JPY` would read ¥500 as $5.00.
 */
import type { Store, Tx } from '../store/store.js'
import type { DomainEnv } from './env.js'

const SETTING = 'currency'

/** Records `env.currency` in a store that has none, or throws if the store holds another one. */
export async function claimStoreCurrency(store: Store, env: DomainEnv): Promise<string> {
  return store.transact(async (tx) => {
    const recorded = (await tx.settings.get(SETTING))?.value ?? (await currencyInUse(tx))
    if (recorded !== undefined && recorded !== env.currency) {
      throw new Error(
        `the store keeps its money in ${recorded}, but the controller was started with --currency ${env.currency}. ` +
          `Amounts are not converted: start it with --currency ${recorded} (or use a new --data directory for ${env.currency}).`,
      )
    }
    if (!(await tx.settings.get(SETTING))) {
      await tx.settings.insert({ id: SETTING, value: env.currency, setAtMs: env.clock.now() })
    }
    return env.currency
  })
}

/** A store written before the currency was recorded: the currency its money is already in, if any. */
async function currencyInUse(tx: Tx): Promise<string | undefined> {
  for (const pack of await tx.topUpPlans.list()) return pack.price.currency
  for (const sub of await tx.subscribers.list()) return sub.balance.currency
  for (const entry of await tx.ledger.list()) return entry.amount.currency
  return undefined
}
