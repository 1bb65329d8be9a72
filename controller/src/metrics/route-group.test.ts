import { seededRandom } from '@capd/protocol/testing'
import { describe, expect, it } from 'vitest'
import { routeGroup } from './route-group.js'

describe('route groups', () => {
  it.each([
    ['/api/v1/subscribers/sub_1/topups', 'api'],
    ['/portal/api/login', 'portal_api'],
    ['/portal', 'portal'],
    ['/portal/usage', 'portal'],
    ['/agent/v1/ws', 'agent'],
    ['/webhooks/stripe', 'webhooks'],
    ['/assets/app.css', 'assets'],
    ['/brand/logo', 'assets'],
    ['/healthz', 'health'],
    ['/readyz', 'health'],
    ['/', 'ui'],
    ['/subscribers/sub_1', 'ui'],
    ['/portalx', 'ui'],
    ['/apis', 'ui'],
  ])('counts %s under %s', (path, group) => {
    expect(routeGroup(path)).toBe(group)
  })

  it('makes no label of any other path: whatever a client asks for, one of a few names', () => {
    const rnd = seededRandom(4)
    const chars = 'abc/_-.%?=&0123456789'
    const groups = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      let path = '/'
      for (let n = rnd.int(0, 40); n > 0; n--) path += chars[rnd.int(0, chars.length - 1)]
      groups.add(routeGroup(path))
    }
    for (const g of groups)
      expect(['api', 'portal_api', 'portal', 'agent', 'webhooks', 'assets', 'health', 'ui']).toContain(g)
  })
})
