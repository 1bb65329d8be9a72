import { describe, expect, it } from 'vitest'
import { assetRoutes } from './assets.js'

describe('UI assets', () => {
  it('serves its files', async () => {
    const app = assetRoutes()
    for (const name of ['capd.css', 'live.js', 'template-preview.js']) {
      const res = await app.request(`/${name}`)
      expect(res.status).toBe(200)
      expect((await res.text()).length).toBeGreaterThan(0)
    }
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'x'])(
    'answers 404 for %s, never a property of Object',
    async (name) => {
      const res = await assetRoutes().request(`/${name}`)
      expect(res.status).toBe(404)
    },
  )
})
