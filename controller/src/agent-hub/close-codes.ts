/** The WebSocket close codes the controller ends agent connections with (4xxx are capd's own). */
export const CLOSE = {
  /** The controller is shutting down: reconnect later. */
  goingAway: 1001,
  /** A binary frame: messages are JSON text. */
  unsupportedData: 1003,
  /** A message broke the protocol or was refused (preceded by an `error` message). */
  policyViolation: 1008,
  /** A message over the size limit (preceded by an `error` message). */
  messageTooBig: 1009,
  /** The controller could not process a message (its store failed): reconnect and replay. */
  internalError: 1011,
  /** A newer connection of the same agent took over: do not reconnect from this one. */
  replaced: 4001,
  /** The agent was revoked: its token no longer works. */
  revoked: 4002,
} as const
