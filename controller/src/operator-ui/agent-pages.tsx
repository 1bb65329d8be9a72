/** Operator pages for agents: enrol (token shown once), revoke, online state, last seen, version. */
import type { Hono } from 'hono'
import type { OperatorEnv } from './operator-auth.js'
import type { OperatorKit } from './operator-kit.js'

export function agentPages(_ui: Hono<OperatorEnv>, _kit: OperatorKit): void {}
