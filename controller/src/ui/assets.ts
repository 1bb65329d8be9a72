/** The UI's static files (stylesheet, live-update and template-preview scripts), read once and served with a version in the URL. */
import { readFileSync } from 'node:fs'
import { Hono } from 'hono'
import { CAPD_VERSION } from '../version.js'

const read = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8')

type AssetName = 'capd.css' | 'live.js' | 'template-preview.js'

/** A Map, so a name from the URL finds only a file (`__proto__` or `toString` is no asset). */
const files = new Map<string, { body: string; type: string }>([
  ['capd.css', { body: read('capd.css'), type: 'text/css; charset=utf-8' }],
  ['live.js', { body: read('live.js'), type: 'text/javascript; charset=utf-8' }],
  ['template-preview.js', { body: read('template-preview.js'), type: 'text/javascript; charset=utf-8' }],
] satisfies [AssetName, unknown][])

/** The URL of an asset: the version makes a new release's file a new URL, so caching is safe. */
export const assetUrl = (name: AssetName) => `/assets/${name}?v=${CAPD_VERSION}`

export function assetRoutes(): Hono {
  const app = new Hono()
  app.get('/:name', (c) => {
    const file = files.get(c.req.param('name'))
    if (!file) return c.notFound()
    c.header('Content-Type', file.type)
    c.header('Cache-Control', 'public, max-age=86400')
    return c.body(file.body)
  })
  return app
}
