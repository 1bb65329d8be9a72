/** What the agent says about the controller URL it was given before it connects. */
import { isIP } from 'node:net'

/**
 * A warning for `ws://` to anything but this machine: the agent token and every limit would cross
 * the network in plain text, and anyone on the path could pose as the controller.
 */
export function plainTextWarning(controllerUrl: string): string | undefined {
  const url = new URL(controllerUrl)
  if (url.protocol !== 'ws:') return undefined
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isLoopback(host)) return undefined
  return (
    `the controller ${url.host} is reached over ws:// (no TLS): the agent token and the limits travel ` +
    'in plain text and a machine on the path can pose as the controller. Use wss:// (TLS) for any ' +
    'controller that is not on this machine.'
  )
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}
