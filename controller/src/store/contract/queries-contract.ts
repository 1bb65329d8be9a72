/** The contract of the paged and ranged reads: subscriber search, the delivery outbox and log, usage history, audit. */
import { describe, expect, it } from 'vitest'
import type { Page, Tx } from '../store.js'
import { ids, useHarness } from './harness.js'
import { auditEntry, delivery, subscriber, usageDay, usageMonth } from './rows.js'
import type { StoreFactory } from './store-under-test.js'

/** Every item of a paged read, following `nextCursor` until it is null. */
export async function allPages<T extends { id: string }>(
  read: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = []
  let cursor: string | undefined
  for (let pages = 1; ; pages++) {
    const page = await read(cursor)
    items.push(...page.items)
    if (page.nextCursor === null) return { items, pages }
    expect(page.nextCursor).toBe(page.items.at(-1)?.id)
    cursor = page.nextCursor
    if (pages > 10_000) throw new Error('paging does not end')
  }
}

async function seedSubscribers(tx: Tx): Promise<void> {
  await tx.subscribers.insert(subscriber('sub_01', { name: 'Amina Otieno', login: 'amina', state: 'open' }))
  await tx.subscribers.insert(
    subscriber('sub_02', { name: 'Brian', login: 'BRIAN.K', state: 'blocked', agentId: 'agt_2' }),
  )
  await tx.subscribers.insert(
    subscriber('sub_03', {
      name: 'Carol',
      login: 'carol',
      address: '2001:db8:ab::/48',
      email: 'Carol@Mail.example',
    }),
  )
  await tx.subscribers.insert(
    subscriber('sub_04', { name: 'Dan', login: 'dan', state: 'throttled', deletedAtMs: 5 }),
  )
  await tx.subscribers.insert(
    subscriber('sub_05', { name: 'Eve Amin', login: 'eve', address: '10.20.30.40' }),
  )
  const { email: _, ...noEmail } = subscriber('sub_06', { name: 'Fay', login: 'fay', state: 'blocked' })
  await tx.subscribers.insert(noEmail)
}

export function queriesContract(factory: StoreFactory): void {
  describe('queries', () => {
    const h = useHarness(factory)

    it('finds subscribers by substring of name, login, email or address, any case', async () => {
      const store = await h.open()
      await store.transact(seedSubscribers)
      const find = (q: string, deleted?: boolean) =>
        store.transact(async (tx) => ids((await tx.subscribers.find({ q, deleted, limit: 50 })).items))
      expect(await find('AMIN')).toEqual(['sub_01', 'sub_05'])
      expect(await find('brian.k')).toEqual(['sub_02'])
      expect(await find('mail.EXAMPLE')).toEqual(['sub_03'])
      expect(await find('db8:ab')).toEqual(['sub_03'])
      expect(await find('20.30')).toEqual(['sub_05'])
      expect(await find('dan')).toEqual([])
      expect(await find('dan', true)).toEqual(['sub_04'])
      expect(await find('%')).toEqual([]) // no pattern syntax leaks through
      // A literal '_' (a LIKE pattern would match every row): only the e-mails holding one. Ids are not searched.
      expect(await find('_')).toEqual(['sub_01', 'sub_02', 'sub_05'])
    })

    it('filters subscribers by state, agent and deletion, and pages through them without loss or repeat', async () => {
      const store = await h.open()
      await store.transact(seedSubscribers)
      await store.transact(async (tx) => {
        const find = async (query: Parameters<Tx['subscribers']['find']>[0]) =>
          ids((await tx.subscribers.find(query)).items)
        expect(await find({ state: 'blocked', limit: 10 })).toEqual(['sub_02', 'sub_06'])
        expect(await find({ agentId: 'agt_2', limit: 10 })).toEqual(['sub_02'])
        expect(await find({ deleted: true, limit: 10 })).toEqual(['sub_04'])
        expect(await find({ deleted: false, limit: 10 })).toEqual([
          'sub_01',
          'sub_02',
          'sub_03',
          'sub_05',
          'sub_06',
        ])
        expect(await find({ state: 'throttled', limit: 10 })).toEqual([])
        expect(await find({ after: 'sub_03', limit: 10 })).toEqual(['sub_05', 'sub_06'])
        expect(await find({ after: 'sub_035', limit: 10 })).toEqual(['sub_05', 'sub_06']) // a cursor need not exist
        expect(await find({ after: 'sub_06', limit: 10 })).toEqual([])
        // A page exactly full says there is no more only when nothing else matches.
        const exact = await tx.subscribers.find({ state: 'blocked', limit: 2 })
        expect(exact.nextCursor).toBeNull()
        const short = await tx.subscribers.find({ limit: 2 })
        expect(short).toMatchObject({ nextCursor: 'sub_02' })
        for (const limit of [1, 2, 3, 5, 6]) {
          const { items, pages } = await allPages((after) => tx.subscribers.find({ after, limit }))
          expect(ids(items)).toEqual(['sub_01', 'sub_02', 'sub_03', 'sub_05', 'sub_06'])
          expect(pages).toBe(Math.max(1, Math.ceil(5 / limit)))
        }
      })
    })

    it('hands out due deliveries: queued or sending, due by now, oldest first, at most limit', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.deliveries.insert(delivery('dlv_5', { nextAttemptAtMs: 100 }))
        await tx.deliveries.insert(delivery('dlv_1', { nextAttemptAtMs: 300 }))
        await tx.deliveries.insert(
          delivery('dlv_3', { status: 'sending', attempts: 1, nextAttemptAtMs: 200 }),
        )
        await tx.deliveries.insert(delivery('dlv_2', { status: 'sent', nextAttemptAtMs: 0, sentAtMs: 1 }))
        await tx.deliveries.insert(delivery('dlv_4', { status: 'failed', nextAttemptAtMs: 0 }))
        await tx.deliveries.insert(delivery('dlv_6', { nextAttemptAtMs: 301 }))
      })
      await store.transact(async (tx) => {
        expect(ids(await tx.deliveries.due(300, 10))).toEqual(['dlv_1', 'dlv_3', 'dlv_5'])
        expect(ids(await tx.deliveries.due(299, 10))).toEqual(['dlv_3', 'dlv_5'])
        expect(ids(await tx.deliveries.due(1000, 2))).toEqual(['dlv_1', 'dlv_3'])
        expect(await tx.deliveries.due(99, 10)).toEqual([])
        expect(await tx.deliveries.openCount()).toBe(4)
        await tx.deliveries.update(delivery('dlv_1', { status: 'sent', sentAtMs: 2 }))
        expect(await tx.deliveries.openCount()).toBe(3)
        await tx.deliveries.delete('dlv_5')
        expect(await tx.deliveries.openCount()).toBe(2)
        expect(ids(await tx.deliveries.due(1000, 10))).toEqual(['dlv_3', 'dlv_6'])
      })
    })

    it('lists a notification’s deliveries, and pages the delivery log newest first with filters', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        for (let i = 1; i <= 9; i++) {
          await tx.deliveries.insert(
            delivery(`dlv_${i}`, {
              notificationId: i % 2 ? 'n/odd' : 'n/even',
              channel: i % 3 === 0 ? 'sms' : 'email',
              status: i > 6 ? 'sent' : 'queued',
              event: i === 9 ? 'topup.applied' : 'usage.threshold',
              subscriberId: i <= 4 ? 'sub_1' : 'sub_2',
            }),
          )
        }
      })
      await store.transact(async (tx) => {
        expect(ids(await tx.deliveries.forNotification('n/even'))).toEqual([
          'dlv_2',
          'dlv_4',
          'dlv_6',
          'dlv_8',
        ])
        expect(await tx.deliveries.forNotification('n/none')).toEqual([])
        const find = async (q: Partial<Parameters<Tx['deliveries']['find']>[0]>) =>
          ids((await tx.deliveries.find({ limit: 20, ...q })).items)
        expect(await find({})).toEqual([
          'dlv_9',
          'dlv_8',
          'dlv_7',
          'dlv_6',
          'dlv_5',
          'dlv_4',
          'dlv_3',
          'dlv_2',
          'dlv_1',
        ])
        expect(await find({ status: 'sent' })).toEqual(['dlv_9', 'dlv_8', 'dlv_7'])
        expect(await find({ channel: 'sms' })).toEqual(['dlv_9', 'dlv_6', 'dlv_3'])
        expect(await find({ event: 'topup.applied' })).toEqual(['dlv_9'])
        expect(await find({ subscriberId: 'sub_1', channel: 'email' })).toEqual(['dlv_4', 'dlv_2', 'dlv_1'])
        expect(await find({ before: 'dlv_4' })).toEqual(['dlv_3', 'dlv_2', 'dlv_1'])
        expect(await find({ before: 'dlv_45' })).toEqual(['dlv_4', 'dlv_3', 'dlv_2', 'dlv_1'])
        for (const limit of [1, 2, 4, 9]) {
          const { items } = await allPages((before) => tx.deliveries.find({ before, limit }))
          expect(ids(items)).toEqual(await find({}))
        }
      })
    })

    it('reads usage days and months by inclusive range, and finds rows before a day or month', async () => {
      const store = await h.open()
      const days = ['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02', '2026-02-10']
      await store.transact(async (tx) => {
        for (const day of [...days].reverse()) await tx.usageDays.insert(usageDay('sub_1', day))
        await tx.usageDays.insert(usageDay('sub_2', '2026-02-01'))
        for (const month of ['2025-11', '2025-12', '2026-01'])
          await tx.usageMonths.insert(usageMonth('sub_1', month))
        await tx.usageMonths.insert(usageMonth('sub_2', '2025-10'))
      })
      await store.transact(async (tx) => {
        const range = async (from: string, to: string) =>
          (await tx.usageDays.forSubscriber('sub_1', from, to)).map((d) => d.day)
        expect(await range('2026-01-31', '2026-02-02')).toEqual(['2026-01-31', '2026-02-01', '2026-02-02'])
        expect(await range('2026-02-03', '2026-02-09')).toEqual([])
        expect(await range('2026-02-10', '2026-02-10')).toEqual(['2026-02-10'])
        expect(await tx.usageDays.forSubscriber('sub_1', '2026-02-02', '2026-02-01')).toEqual([])
        expect(
          (await tx.usageMonths.forSubscriber('sub_1', '2025-12', '2026-12')).map((m) => m.month),
        ).toEqual(['2025-12', '2026-01'])
        const before = await tx.usageDays.before('2026-02-01', 100)
        expect(ids(before).sort()).toEqual(['sub_1/2026-01-30', 'sub_1/2026-01-31'])
        const one = await tx.usageDays.before('2026-02-02', 1)
        expect(one).toHaveLength(1)
        expect(one[0]!.day < '2026-02-02').toBe(true)
        expect(ids(await tx.usageMonths.before('2025-12', 10)).sort()).toEqual([
          'sub_1/2025-11',
          'sub_2/2025-10',
        ])
        expect(await tx.usageMonths.before('2025-10', 10)).toEqual([])
      })
    })

    it('keeps the audit log newest first, finds by actor, action group, entity and time, pages and prunes', async () => {
      const store = await h.open()
      await store.transact(async (tx) => {
        await tx.audit.append(auditEntry('aud_01', 1000, { action: 'topup.create' }))
        await tx.audit.append(auditEntry('aud_02', 2000, { action: 'topup.reverse', actor: 'token:tok_1' }))
        await tx.audit.append(auditEntry('aud_03', 3000, { action: 'topups.bulk', entityId: 'sub_2' }))
        await tx.audit.append(
          auditEntry('aud_04', 4000, { action: 'plan.update', entity: 'plan', entityId: 'pln_1' }),
        )
        await tx.audit.append(auditEntry('aud_05', 5000, { action: 'topup', actor: 'system' }))
      })
      await store.transact(async (tx) => {
        expect(ids(await tx.audit.list(2))).toEqual(['aud_05', 'aud_04'])
        expect(ids(await tx.audit.list(50))).toEqual(['aud_05', 'aud_04', 'aud_03', 'aud_02', 'aud_01'])
        const find = async (q: Partial<Parameters<Tx['audit']['find']>[0]>) =>
          ids((await tx.audit.find({ limit: 50, ...q })).items)
        expect(await find({ action: 'topup' })).toEqual(['aud_05', 'aud_02', 'aud_01'])
        expect(await find({ action: 'topup.reverse' })).toEqual(['aud_02'])
        expect(await find({ actor: 'token:tok_1' })).toEqual(['aud_02'])
        expect(await find({ entityId: 'sub_2' })).toEqual(['aud_03'])
        expect(await find({ fromMs: 2000, toMs: 4000 })).toEqual(['aud_03', 'aud_02'])
        expect(await find({ before: 'aud_03' })).toEqual(['aud_02', 'aud_01'])
        const { items } = await allPages((before) => tx.audit.find({ before, limit: 2 }))
        expect(ids(items)).toEqual(['aud_05', 'aud_04', 'aud_03', 'aud_02', 'aud_01'])
        const entry = await tx.audit.list(50)
        expect(entry.at(-1)).toEqual(auditEntry('aud_01', 1000, { action: 'topup.create' }))
        await tx.audit.prune(3000)
        expect(ids(await tx.audit.list(50))).toEqual(['aud_05', 'aud_04', 'aud_03'])
        await tx.audit.prune(0)
        expect(ids(await tx.audit.list(50))).toHaveLength(3)
      })
      const again = await h.reopen()
      expect(ids(await again.transact((tx) => tx.audit.list(50)))).toEqual(['aud_05', 'aud_04', 'aud_03'])
    })
  })
}
