/** A RouterOS API peer for tests; see peer.ts. */
export {
  type PeerSentence,
  type RouterOsPeer,
  type RouterOsPeerFaults,
  type RouterOsPeerOptions,
  type RouterOsPeerTls,
  startRouterOsPeer,
} from './peer.js'
export { formatUptime, RouterState } from './router-state.js'
export type { Item } from './table.js'
