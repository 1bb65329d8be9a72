/** The RouterOS API client: connections, the reconnecting session, and the errors they reject with. */
export { type BackoffOptions, backoffDelayMs } from './backoff.js'
export {
  connectRouterOs,
  type RouterOsConnection,
  type RouterOsConnectOptions,
  type RouterOsReply,
} from './client.js'
export {
  RouterOsClosed,
  RouterOsConnectError,
  RouterOsError,
  RouterOsLoginError,
  RouterOsTimeout,
  RouterOsTrap,
} from './errors.js'
export type { RouterOsCallOptions, RouterOsRow } from './sentence.js'
export {
  createRouterOsSession,
  type RouterOsSession,
  type RouterOsSessionOptions,
  type RouterOsSessionState,
} from './session.js'
export type { RouterOsTlsOptions } from './transport.js'
export { RouterOsProtocolError } from './wire.js'
