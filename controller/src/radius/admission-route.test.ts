import { memoryLogger } from '@capd/log'
import { PROTOCOL_VERSION, type Usage } from '@capd/protocol'
import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { ingestUsage } from '../domain/usage-ingest.js'
import { testApp } from '../testing/test-app.js'
import { type RadiusAdmission, radiusAdmission } from './admission-config.js'

const TOKEN = 'radius-admission-token-0123456789'
const GB = 1e9

async function setup(settings: Partial<RadiusAdmission> = {}) {
  const { logger, lines } = memoryLogger()
  const t = await testApp({
    app: { radius: { settings: { ...radiusAdmission({ token: TOKEN }), ...settings }, logger } },
  })
  const ask = async (body: unknown, token: string | null = TOKEN) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (token !== null) headers.authorization = `Bearer ${token}`
    const res = await t.app.request(
      new Request('http://localhost/radius/v1/authorize', {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    )
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  /** rlm_rest's `body = json` for this User-Name. */
  const login = (name: string) =>
    ask({
      'User-Name': { type: 'string', value: [name] },
      'NAS-IP-Address': { type: 'ipaddr', value: ['192.0.2.1'] },
    })
  const agent = (await t.call('POST', '/agents', { name: 'bras-1' })).body
  let seq = 0
  let nextAddress = 1
  const subscriber = async (loginName: string, plan: Record<string, unknown>) => {
    const p = (await t.call('POST', '/plans', { name: `plan ${loginName}`, ...plan })).body
    return (
      await t.call('POST', '/subscribers', {
        name: loginName,
        login: loginName,
        planId: p.id,
        agentId: agent.id,
        address: `10.0.0.${nextAddress++}`,
      })
    ).body
  }
  /** Books `bytes` of download for the subscriber, as its agent would report it. */
  const use = async (subscriberId: string, bytes: number) => {
    const view = (await t.call('GET', `/subscribers/${subscriberId}`)).body
    seq += 1
    const batch: Usage = {
      v: PROTOCOL_VERSION,
      type: 'usage',
      epoch: 'e1',
      entries: [
        { seq, subscriberId, periodStart: view.usage.periodStart, down: bytes, up: 0, atMs: t.clock.now() },
      ],
    }
    await t.store.transact((tx) => ingestUsage(tx, t.env, agent.id, batch))
  }
  return { t, ask, login, subscriber, use, lines }
}

const attr = (value: string) => ({ op: ':=', value, do_xlat: false })

describe('POST /radius/v1/authorize (rlm_rest)', () => {
  it('gives an uncapped subscriber its plan rate, or nothing (204) when the plan has none', async () => {
    const { login, subscriber } = await setup()
    await subscriber('alice', { capBytes: 10 * GB, onCap: 'block', rateDownKbps: 10000, rateUpKbps: 2000 })
    await subscriber('bob', { capBytes: 10 * GB, onCap: 'block' })
    expect(await login('alice')).toEqual({
      status: 200,
      body: { 'reply:Mikrotik-Rate-Limit': attr('2000k/10000k') },
    })
    expect(await login('ALICE')).toMatchObject({ status: 200 })
    expect(await login('bob')).toEqual({ status: 204, body: undefined })
  })

  it('holds a capped subscriber to the cap at login, and lets it back after a top-up', async () => {
    const { t, login, subscriber, use } = await setup()
    const blocked = await subscriber('carol', { capBytes: GB, onCap: 'block', rateDownKbps: 8000 })
    const slowed = await subscriber('dave', { capBytes: GB, onCap: 'throttle', throttleKbps: 512 })
    await use(blocked.id, GB - 1)
    expect((await login('carol')).body).toEqual({ 'reply:Mikrotik-Rate-Limit': attr('8000k/8000k') })
    await use(blocked.id, 1)
    await use(slowed.id, 2 * GB)
    expect(await login('carol')).toEqual({ status: 200, body: { 'reply:Framed-Pool': attr('capd-blocked') } })
    expect(await login('dave')).toEqual({
      status: 200,
      body: { 'reply:Mikrotik-Rate-Limit': attr('512k/512k') },
    })
    const topUp = await t.call(
      'POST',
      `/subscribers/${blocked.id}/topups`,
      { bytes: GB, price: { amount: 100, currency: 'USD' } },
      { 'idempotency-key': 'carol-1' },
    )
    expect(topUp.status).toBe(201)
    expect((await login('carol')).body).toEqual({ 'reply:Mikrotik-Rate-Limit': attr('8000k/8000k') })
  })

  it('rejects (401, which rlm_rest makes an Access-Reject) where configured, suspension included', async () => {
    const { t, login, subscriber, use } = await setup({ blocked: 'reject' })
    const sub = await subscriber('erin', { capBytes: GB, onCap: 'block' })
    const other = await subscriber('frank', { capBytes: GB, onCap: 'block' })
    await use(sub.id, GB)
    expect(await login('erin')).toEqual({
      status: 401,
      body: { 'reply:Reply-Message': attr('capd: data cap reached') },
    })
    expect((await t.call('POST', `/subscribers/${other.id}/suspend`, { reason: 'unpaid' })).status).toBe(200)
    expect(await login('frank')).toEqual({
      status: 401,
      body: { 'reply:Reply-Message': attr('capd: account suspended') },
    })
  })

  it('answers 404 (rlm_rest: notfound, FreeRADIUS decides) for an unknown or deleted login', async () => {
    const { t, login, subscriber } = await setup()
    const sub = await subscriber('gone', { capBytes: GB, onCap: 'block' })
    expect((await t.call('DELETE', `/subscribers/${sub.id}`)).status).toBeLessThan(300)
    expect(await login('gone')).toMatchObject({ status: 404 })
    expect(await login('nobody')).toMatchObject({ status: 404 })
  })

  it('refuses a missing or wrong token with 403 (not 401: that would reject the login) and logs it', async () => {
    const { t, ask, lines, subscriber } = await setup()
    await subscriber('alice', { capBytes: GB, onCap: 'block' })
    const before = t.snapshot()
    for (const token of [null, 'wrong-token-0123456789abcdef', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const answer = await ask({ 'User-Name': 'alice' }, token)
      expect(answer.status).toBe(403)
      expect(answer.body.error.code).toBe('forbidden')
    }
    expect(t.snapshot()).toBe(before)
    const warned = lines.filter((l) => l.includes('wrong token'))
    expect(warned).toHaveLength(4)
    expect(lines.join('\n')).not.toContain('wrong-token-0123456789abcdef')
  })

  it('answers bad input with a clear 400 and changes nothing', async () => {
    const { t, ask, subscriber } = await setup()
    await subscriber('alice', { capBytes: GB, onCap: 'block' })
    const before = t.snapshot()
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{}, /User-Name/],
      [{ 'User-Name': '' }, /User-Name: must not be empty/],
      [{ 'User-Name': { type: 'string', value: [] } }, /User-Name/],
      [{ 'User-Name': 'a'.repeat(254) }, /User-Name: must be at most 253/],
      [{ 'User-Name': ['alice'] }, /User-Name/],
      [[], /expected object/i],
    ]
    for (const [body, message] of cases) {
      const answer = await ask(body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.body.error.message).toMatch(message)
    }
    expect(t.snapshot()).toBe(before)
  })

  it('is not served without --radius-admission', async () => {
    const t = await testApp()
    const res = await t.app.request(
      new Request('http://localhost/radius/v1/authorize', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: '{"User-Name":"alice"}',
      }),
    )
    expect(res.status).toBe(404)
  })

  it('answers like the books at every step of random usage, top-ups, suspensions and days passing', {
    timeout: 60_000,
  }, async () => {
    const seen = new Set<string>()
    for (let seed = 1; seed <= 4; seed++) {
      const random = seededRandom(seed)
      const { t, login, subscriber, use } = await setup({ suspended: 'reject' })
      const subs = [
        {
          login: 'blk',
          rate: '2000k/8000k',
          sub: await subscriber('blk', {
            capBytes: GB,
            onCap: 'block',
            rateDownKbps: 8000,
            rateUpKbps: 2000,
          }),
        },
        {
          login: 'thr',
          rate: undefined,
          sub: await subscriber('thr', { capBytes: GB, onCap: 'throttle', throttleKbps: 256 }),
        },
        { login: 'bare', rate: undefined, sub: await subscriber('bare', { capBytes: GB, onCap: 'block' }) },
      ]
      const suspended = new Set<string>()
      for (let step = 0; step < 40; step++) {
        const { sub } = subs[random.int(0, subs.length - 1)]!
        const op = random.int(0, 9)
        const where = `seed ${seed} step ${step} op ${op}`
        if (op <= 4) await use(sub.id, random.int(0, 900) * 1e6)
        else if (op <= 6) {
          const topUp = await t.call(
            'POST',
            `/subscribers/${sub.id}/topups`,
            { bytes: 500e6, price: { amount: 100, currency: 'USD' } },
            { 'idempotency-key': `s${seed}-${step}` },
          )
          expect(topUp.status, `${where} ${JSON.stringify(topUp.body)}`).toBe(201)
        } else if (op === 7) {
          const action = suspended.has(sub.id) ? 'resume' : 'suspend'
          const done = await t.call('POST', `/subscribers/${sub.id}/${action}`, { reason: 'test' })
          expect(done.status, where).toBe(200)
          if (action === 'suspend') suspended.add(sub.id)
          else suspended.delete(sub.id)
        } else t.clock.advance(random.int(1, 240) * 3600_000)
        for (const s of subs) {
          const { usage } = (await t.call('GET', `/subscribers/${s.sub.id}`)).body
          const capped = usage.usedBytes >= usage.limitBytes
          seen.add(suspended.has(s.sub.id) ? 'suspended' : `${s.login} ${capped ? 'capped' : 'open'}`)
          const expected = suspended.has(s.sub.id)
            ? { status: 401, body: { 'reply:Reply-Message': attr('capd: account suspended') } }
            : !capped
              ? s.rate
                ? { status: 200, body: { 'reply:Mikrotik-Rate-Limit': attr(s.rate) } }
                : { status: 204, body: undefined }
              : s.login === 'thr'
                ? { status: 200, body: { 'reply:Mikrotik-Rate-Limit': attr('256k/256k') } }
                : { status: 200, body: { 'reply:Framed-Pool': attr('capd-blocked') } }
          expect(await login(s.login), `${where} ${s.login} ${JSON.stringify(usage)}`).toEqual(expected)
        }
      }
    }
    // Every kind of answer was met, so the comparison above was not of open answers only.
    expect([...seen].sort()).toEqual([
      'bare capped',
      'bare open',
      'blk capped',
      'blk open',
      'suspended',
      'thr capped',
      'thr open',
    ])
  })
})
