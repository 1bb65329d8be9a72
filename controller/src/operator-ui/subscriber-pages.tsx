/** Operator pages about subscribers: dashboard, list, one subscriber with its top-up actions, invoices. */
import type { Hono } from 'hono'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export function subscriberPages(_ui: Hono<OperatorEnv>, _kit: OperatorKit): void {}
