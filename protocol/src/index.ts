/** The public surface of @capd/protocol: wire messages and the byte, money and period helpers both sides share. */

export * from './agent-token.js'
export * from './billing-period.js'
export * from './bytes.js'
export * from './close-codes.js'
export * from './ip-address.js'
export * from './messages.js'
export * from './money.js'
export * from './parse-message.js'
export * from './problems.js'
export * from './subscriber-address.js'
export * from './wire-fields.js'
export * from './zoned-time.js'
