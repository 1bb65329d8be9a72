import { describe, expect, it } from 'vitest'
import { hashToken } from '../auth/tokens.js'
import { testApp } from '../testing/test-app.js'

describe('agents', () => {
  it('enrols an agent, shows its token once and stores only a hash', async () => {
    const { call, data } = await testApp()
    const res = await call('POST', '/agents', { name: 'tower-1' })
    expect(res.status).toBe(201)
    expect(res.body.token).toMatch(new RegExp(`^capda_${res.body.id}\\.[A-Za-z0-9_-]{43}$`))
    expect(res.body).toMatchObject({ name: 'tower-1', connected: false, lastSeenAt: null })
    const stored = data.agents[res.body.id]!
    expect(stored.tokenHash).toBe(hashToken(res.body.token))
    expect(JSON.stringify(data)).not.toContain(res.body.token)
    const list = await call('GET', '/agents')
    expect(list.body.items).toEqual([
      {
        id: res.body.id,
        name: 'tower-1',
        connected: false,
        lastSeenAt: null,
        createdAt: res.body.createdAt,
        problems: [],
      },
    ])
    expect((await call('GET', `/agents/${res.body.id}`)).body.token).toBeUndefined()
  })

  it('refuses an agent without a name and changes nothing', async () => {
    const { call, snapshot } = await testApp()
    const before = snapshot()
    const res = await call('POST', '/agents', { name: '  ' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(snapshot()).toBe(before)
    expect((await call('GET', '/agents/agt_nope')).status).toBe(404)
  })
})
