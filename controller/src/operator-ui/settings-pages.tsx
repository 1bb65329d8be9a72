/** Routes of the ISP's settings (admins only): the index of sections and the branding page. */
import type { Hono } from 'hono'
import { branding, removeLogo, setBranding, setLogo } from '../domain/branding.js'
import { ApiError } from '../errors.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { BrandingPage, SettingsIndexPage } from './branding-views.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'

export function settingsPages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  const admin = kit.pageFor('settings')
  const act = kit.action('settings')
  const back = '/settings/branding'

  ui.get('/settings', admin, (c) => c.html(<SettingsIndexPage frame={frame(c)} />))

  ui.get('/settings/branding', admin, async (c) => {
    const current = await store.peek((tx) => branding(tx))
    return c.html(<BrandingPage frame={frame(c)} branding={current} />)
  })

  ui.post('/settings/branding', act, (c) =>
    formAction(c, 'operator', back, async () => {
      const form = await readForm(c)
      await store.transact((tx) => setBranding(tx, env, c.var.actor, form))
      return { message: 'Branding saved. Customers see it on their next page.' }
    }),
  )

  ui.post('/settings/branding/logo', act, (c) =>
    formAction(c, 'operator', back, async () => {
      const file = (await c.req.parseBody()).logo
      if (!(file instanceof File) || file.size === 0) {
        throw new ApiError(400, 'invalid_request', 'Choose an image file to upload.')
      }
      const bytes = new Uint8Array(await file.arrayBuffer())
      const logo = await store.transact((tx) => setLogo(tx, env, c.var.actor, bytes))
      return { message: `Logo saved (${logo.widthPx} × ${logo.heightPx} pixels).` }
    }),
  )

  ui.post('/settings/branding/logo/remove', act, (c) =>
    formAction(c, 'operator', back, async () => {
      await store.transact((tx) => removeLogo(tx, env, c.var.actor))
      return { message: 'Logo removed.' }
    }),
  )
}
