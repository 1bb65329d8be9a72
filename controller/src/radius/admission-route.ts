/** `POST /radius/v1/authorize`: FreeRADIUS's rlm_rest asks, at each login, what to answer for a User-Name. */
import { createHash, timingSafeEqual } from 'node:crypto'
import { type Logger, silentLogger } from '@capd/log'
import { Hono } from 'hono'
import { z } from 'zod'
import type { ApiDeps } from '../api/app-env.js'
import { errorResponse } from '../api/error-response.js'
import { parseInput, readBody } from '../api/validate.js'
import { ApiError } from '../errors.js'
import { socketAddress } from '../portal/request-origin.js'
import { restAnswer } from './admission-answer.js'
import type { RadiusAdmission } from './admission-config.js'
import { admissionOf } from './admission-state.js'

/** rlm_rest's `body = json`: each attribute as `{type, value: [...]}`; a plain string is taken too. */
const Attribute = z.union([
  z.string(),
  z.object({ value: z.array(z.union([z.string(), z.number()])).min(1) }).transform((a) => String(a.value[0])),
])

const AuthorizeBody = z.looseObject({
  'User-Name': Attribute.pipe(
    z.string().min(1, { error: 'must not be empty' }).max(253, { error: 'must be at most 253 characters' }),
  ),
  'NAS-IP-Address': Attribute.optional(),
  'NAS-Identifier': Attribute.optional(),
})

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

const digest = (text: string) => createHash('sha256').update(text).digest()

export interface AdmissionRouteOptions {
  settings: RadiusAdmission
  /** Where refused tokens and each answer are logged (as `component: radius`). */
  logger?: Logger
}

export function radiusAdmissionRoutes(deps: ApiDeps, options: AdmissionRouteOptions): Hono {
  const { store, env } = deps
  const log = (options.logger ?? deps.logger ?? silentLogger).child({ component: 'radius' })
  const want = digest(options.settings.token)
  const app = new Hono()
  app.onError(errorResponse)
  app.post('/authorize', async (c) => {
    const sent = BEARER.exec(c.req.header('Authorization') ?? '')?.[1]
    if (sent === undefined || !timingSafeEqual(digest(sent), want)) {
      // 403, not 401: rlm_rest turns a 401 into Access-Reject, and a wrong token is the ISP's
      // mistake, not the subscriber's. 403 is its `userlock`, which the documented site config
      // sends to the same fallback as capd being unreachable.
      log.warn(
        { from: socketAddress(c), tokenSent: sent !== undefined },
        'rlm_rest sent a missing or wrong token; answered 403 (FreeRADIUS falls back as configured)',
      )
      throw new ApiError(
        403,
        'forbidden',
        'send the radius admission token as "Authorization: Bearer <token>"',
      )
    }
    const body = parseInput(AuthorizeBody, await readBody(c))
    const login = body['User-Name']
    const admission = await store.transact((tx) => admissionOf(tx, env, login))
    const answer = restAnswer(options.settings, admission)
    log.debug(
      {
        login,
        nas: body['NAS-IP-Address'] ?? body['NAS-Identifier'],
        subscriberId: admission?.subscriberId,
        state: admission?.state ?? 'unknown',
        status: answer.status,
      },
      'login admission',
    )
    if (!answer.attributes) return c.body(null, answer.status)
    // Values are never xlat-expanded: a login like "%{exec:…}" stays text.
    const json = Object.fromEntries(
      Object.entries(answer.attributes).map(([name, value]) => [name, { op: ':=', value, do_xlat: false }]),
    )
    return c.json(json, answer.status)
  })
  return app
}
