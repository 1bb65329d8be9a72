/** The subscriber page's path, where each subscriber action goes back to. */
import type { Context } from 'hono'
import { idParam } from '../api/validate.js'

export const subscriberPath = (c: Context) => `/subscribers/${encodeURIComponent(idParam(c))}`
