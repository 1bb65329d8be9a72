import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { manualClock } from '../clock.js'
import { emptyData } from '../store/data.js'
import { DocumentStore } from '../store/document-store.js'
import { openLowdbStore } from '../store/lowdb-store.js'
import type { DomainEnv } from './env.js'
import { claimStoreCurrency } from './store-currency.js'

/** Opening an undamaged store has nothing to say. */
const unexpectedLog = (line: string) => expect.fail(`unexpected store message: ${line}`)

const envIn = (currency: string): DomainEnv => ({
  clock: manualClock(Date.parse('2026-03-10T12:00:00Z')),
  timeZone: 'UTC',
  currency,
  idempotencyTtlMs: 3600_000,
})

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('the store keeps the currency it was started with', () => {
  it('refuses to start in another currency, naming both, and changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-currency-'))
    dirs.push(dir)
    const first = await openLowdbStore(dir, unexpectedLog)
    await claimStoreCurrency(first, envIn('USD'))
    await first.close()

    const second = await openLowdbStore(dir, unexpectedLog)
    await expect(claimStoreCurrency(second, envIn('JPY'))).rejects.toThrow(
      /store .*USD.*--currency JPY|USD.*JPY/,
    )
    await second.close()

    // Nothing was rewritten: the same currency still starts, and another one is still refused.
    const third = await openLowdbStore(dir, unexpectedLog)
    await expect(claimStoreCurrency(third, envIn('USD'))).resolves.toBe('USD')
    await expect(claimStoreCurrency(third, envIn('EUR'))).rejects.toThrow(/USD/)
    await third.close()
  })

  it('takes the currency of money already in a store that never recorded one', async () => {
    const data = emptyData()
    data.topUpPlans.tpp_1 = {
      id: 'tpp_1',
      name: 'pack',
      bytes: 1,
      price: { amount: 500, currency: 'EUR' },
      createdAtMs: 0,
    }
    const store = new DocumentStore(data, null)
    await expect(claimStoreCurrency(store, envIn('JPY'))).rejects.toThrow(/EUR/)
    await expect(claimStoreCurrency(store, envIn('EUR'))).resolves.toBe('EUR')
    await expect(claimStoreCurrency(store, envIn('JPY'))).rejects.toThrow(/EUR/)
  })

  it('records the currency of a fresh store on its first start', async () => {
    const store = new DocumentStore(emptyData(), null)
    await expect(claimStoreCurrency(store, envIn('KES'))).resolves.toBe('KES')
    await expect(claimStoreCurrency(store, envIn('USD'))).rejects.toThrow(/KES/)
  })
})
