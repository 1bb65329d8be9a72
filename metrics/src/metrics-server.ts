/**
 * The metrics listener of the agent (`metricsListen`) and the controller (`--metrics-listen`):
 * `GET /metrics` (Prometheus text format) and `GET /healthz` on an address of their own, apart
 * from the controller's app, so business figures never reach the public side. Behind a reverse proxy every
 * request to the app comes from the proxy's address, so "only from loopback" could not tell a
 * scraper from the Internet; a separate port that only the monitoring network can reach can.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ListenAddress } from '@capd/protocol'
import type { Registry } from 'prom-client'

export interface MetricsServer {
  port: number
  close(): Promise<void>
}

export function serveMetrics(registry: Registry, address: ListenAddress): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://metrics').pathname
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    } else if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}')
    } else if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('only /metrics and /healthz here\n')
    } else {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`),
      )
    }
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(address.port, address.host, () => {
      server.off('error', reject)
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}
