/** What the hub needs of one agent connection, whatever the runtime's WebSocket is. */
export interface AgentSocket {
  send(text: string): void
  close(code: number, reason: string): void
  /** Transport-level keep-alive, where the runtime has it (ws ping/pong on Node). */
  readonly heartbeat?: Heartbeat
}

export interface Heartbeat {
  ping(): void
  onPong(listener: () => void): void
  /** Drops the connection without a closing handshake (the peer is not answering anyway). */
  terminate(): void
}

/** Adapts a runtime's raw socket (`WSContext.raw`) to a Heartbeat, or says it cannot. */
export type HeartbeatFor = (raw: unknown) => Heartbeat | undefined
