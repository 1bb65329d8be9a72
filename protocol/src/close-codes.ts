/** The WebSocket close codes a controller ends an agent connection with, shared by both sides (4xxx are capd's own). */

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

export type CloseName = keyof typeof CLOSE
export type CloseCode = (typeof CLOSE)[CloseName]

/** Closes after which reconnecting cannot help, with what the agent tells its operator. */
export const TERMINAL_CLOSES: Readonly<Partial<Record<number, string>>> = {
  [CLOSE.replaced]: 'another agent process with this token connected and replaced this one',
  [CLOSE.revoked]: 'the controller revoked this agent',
}

/** Why reconnecting cannot help after this close, or undefined when the agent should reconnect. */
export function terminalClose(code: number): string | undefined {
  return TERMINAL_CLOSES[code]
}
