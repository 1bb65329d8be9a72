/** The Node edge: serve the web app over HTTP or HTTPS, and its agent WebSockets with `ws`. Everything else stays web-standard. */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { serve, upgradeWebSocket } from '@hono/node-server'
import type { Hono } from 'hono'
import { WebSocket, WebSocketServer } from 'ws'
import { MAX_AGENT_MESSAGE_BYTES } from './agent-hub/agent-hub.js'
import type { HeartbeatFor } from './agent-hub/agent-socket.js'
import type { AgentEndpoint } from './agent-hub/agent-ws-route.js'

/** A certificate (chain) and its private key, PEM text. */
export interface TlsFiles {
  cert: string
  key: string
}

export interface RunningServer {
  port: number
  /** Over TLS only: serves new connections with this certificate (renewed on disk, say). */
  setTls?(tls: TlsFiles): void
  close(): Promise<void>
}

export interface ListenOptions {
  /** Serves WebSocket upgrades (see agentSocketServer); without it upgrades are refused. */
  websocket?: WebSocketServer
  /** Serve HTTPS (and wss:// to agents) with this certificate instead of plain HTTP. */
  tls?: TlsFiles
}

export function listen(
  app: Hono,
  port: number,
  hostname: string,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const { websocket, tls } = options
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port,
        hostname,
        ...(websocket ? { websocket: { server: websocket } } : {}),
        ...(tls ? { createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key } } : {}),
      },
      (info: AddressInfo) => {
        resolve({
          port: info.port,
          ...(tls ? { setTls: (next: TlsFiles) => (server as HttpsServer).setSecureContext(next) } : {}),
          close: () =>
            new Promise<void>((done) => {
              // Upgraded sockets are no longer the HTTP server's: they are ended here.
              for (const client of websocket?.clients ?? []) client.terminate()
              server.close(() => done())
              if ('closeAllConnections' in server) server.closeAllConnections()
            }),
        })
      },
    )
    server.once('error', reject)
  })
}

/**
 * The WebSocket server for agents. The hub refuses messages over its limit with an `error`
 * message first; frames over this hard limit (4× the hub's) are cut off by `ws` itself with 1009
 * before they are buffered, so no peer can make the controller hold a huge frame.
 */
export function agentSocketServer(hardLimitBytes = 4 * MAX_AGENT_MESSAGE_BYTES): WebSocketServer {
  return new WebSocketServer({ noServer: true, maxPayload: hardLimitBytes })
}

/** ws ping/pong for the hub's heartbeat (ws answers pings by itself, and so does the agent's ws). */
export const nodeHeartbeat: HeartbeatFor = (raw) =>
  raw instanceof WebSocket
    ? {
        ping: () => raw.ping(),
        onPong: (listener) => raw.on('pong', listener),
        terminate: () => raw.terminate(),
      }
    : undefined

/** The Node parts of the agent endpoint, for createApp. */
export function nodeAgentEndpoint(hub: AgentEndpoint['hub']): AgentEndpoint {
  return { hub, upgradeWebSocket, heartbeatFor: nodeHeartbeat }
}
