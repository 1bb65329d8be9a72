/** Operator pages for plans and top-up plans: list, create, edit, retire. */
import type { Hono } from 'hono'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export function catalogPages(_ui: Hono<OperatorEnv>, _kit: OperatorKit): void {}
