/** The ISP as pages show it: its name and, if it uploaded one, the logo's URL. */
import { type Branding, branding, logoPath } from '../domain/branding.js'
import type { Store } from '../store/store.js'

export interface Brand {
  readonly name: string
  readonly logoUrl?: string
}

export const brandOf = (b: Branding): Brand => ({
  name: b.name,
  ...(b.logo ? { logoUrl: logoPath(b.logo) } : {}),
})

export const loadBrand = (store: Store): Promise<Brand> =>
  store.peek(async (tx) => brandOf(await branding(tx)))
