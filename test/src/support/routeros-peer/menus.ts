/** The menus the peer models — simple queues, firewall address lists and filter rules — as RouterOS 7 shows them. */
import { isIP } from 'node:net'
import type { MenuSpec } from './table.js'
import { PeerTrap } from './trap.js'

const yesNo = (name: string) => (value: string) => {
  if (value === 'yes' || value === 'true') return 'true'
  if (value === 'no' || value === 'false') return 'false'
  throw new PeerTrap(`value of ${name} must be yes or no`, 1)
}

/** `10M` → `10000000`; RouterOS prints rates in bits per second. */
function bitsPerSecond(name: string, value: string): string {
  const match = /^(\d+)([kKMG]?)$/.exec(value)
  if (!match) throw new PeerTrap(`invalid value for argument ${name}`, 1)
  const scale = { '': 1n, k: 1000n, K: 1000n, M: 1_000_000n, G: 1_000_000_000n }[match[2]!]!
  return String(BigInt(match[1]!) * scale)
}

/** `up/down`; one value sets both directions. */
const upDownRate = (name: string) => (value: string) => {
  const parts = value.split('/')
  if (parts.length > 2) throw new PeerTrap(`invalid value for argument ${name}`, 1)
  const [up, down = up] = parts.map((part) => bitsPerSecond(name, part))
  return `${up}/${down}`
}

/** Simple queue targets are prefixes: a bare address gets /32 or /128, as RouterOS shows it. */
function target(value: string): string {
  return value
    .split(',')
    .map((part) => {
      const [address = '', length] = part.split('/')
      const family = isIP(address)
      if (family === 0) return part // an interface name
      return `${address}/${length ?? (family === 4 ? '32' : '128')}`
    })
    .join(',')
}

const nowText = () => new Date().toISOString().slice(0, 19).replace('T', ' ')

export const SIMPLE_QUEUE: MenuSpec = {
  path: '/queue/simple',
  autoName: 'queue',
  required: ['target'],
  counters: ['bytes', 'packets', 'dropped'],
  properties: {
    name: { settable: true },
    target: { settable: true, normalize: target },
    parent: { settable: true, default: 'none' },
    priority: { settable: true, default: '8/8' },
    queue: { settable: true, default: 'default-small/default-small' },
    'limit-at': { settable: true, default: '0/0', normalize: upDownRate('limit-at') },
    'max-limit': { settable: true, default: '0/0', normalize: upDownRate('max-limit') },
    bytes: { default: '0/0' },
    packets: { default: '0/0' },
    dropped: { default: '0/0' },
    rate: { default: '0/0' },
    invalid: { default: 'false' },
    dynamic: { default: 'false' },
    disabled: { settable: true, default: 'false', normalize: yesNo('disabled') },
    comment: { settable: true },
  },
  unique(candidate, others) {
    if (others.some((other) => other.name === candidate.name)) {
      throw new PeerTrap('failure: queue with such name already exists', 4)
    }
  },
}

export const ADDRESS_LIST: MenuSpec = {
  path: '/ip/firewall/address-list',
  required: ['list', 'address'],
  properties: {
    list: { settable: true },
    address: { settable: true },
    'creation-time': { default: nowText },
    /** Time left (an entry added or set with a timeout is dynamic and lapses; see RouterState). */
    timeout: { settable: true },
    dynamic: { default: 'false' },
    disabled: { settable: true, default: 'false', normalize: yesNo('disabled') },
    comment: { settable: true },
  },
  unique(candidate, others) {
    if (others.some((other) => other.list === candidate.list && other.address === candidate.address)) {
      throw new PeerTrap('failure: already have such entry', 4)
    }
  },
}

const ACTIONS = new Set([
  'accept',
  'drop',
  'reject',
  'jump',
  'return',
  'passthrough',
  'log',
  'fasttrack-connection',
  'add-src-to-address-list',
  'add-dst-to-address-list',
  'tarpit',
])

export const FILTER: MenuSpec = {
  path: '/ip/firewall/filter',
  required: ['chain'],
  counters: ['bytes', 'packets'],
  properties: {
    chain: { settable: true },
    action: {
      settable: true,
      default: 'accept',
      normalize(value) {
        if (!ACTIONS.has(value)) throw new PeerTrap('input does not match any value of action', 1)
        return value
      },
    },
    'jump-target': { settable: true },
    'reject-with': { settable: true },
    protocol: { settable: true },
    'src-address': { settable: true },
    'dst-address': { settable: true },
    'src-address-list': { settable: true },
    'dst-address-list': { settable: true },
    'in-interface': { settable: true },
    'out-interface': { settable: true },
    'connection-state': { settable: true },
    log: { settable: true, default: 'false', normalize: yesNo('log') },
    'log-prefix': { settable: true, default: '' },
    bytes: { default: '0' },
    packets: { default: '0' },
    invalid: { default: 'false' },
    dynamic: { default: 'false' },
    disabled: { settable: true, default: 'false', normalize: yesNo('disabled') },
    comment: { settable: true },
  },
}
