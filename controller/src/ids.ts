/** Entity ids: a type prefix, then time-ordered and random parts, so ids sort by creation. */
import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz' // Crockford base32, lower case

function base32(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += ALPHABET[b & 31]
  return out
}

/** Random bytes are taken from a pool: one system call per 512 ids instead of one each. */
const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
let poolAt = POOL_BYTES

function random8(): Buffer {
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(POOL_BYTES)
    poolAt = 0
  }
  poolAt += 8
  return pool.subarray(poolAt - 8, poolAt)
}

let lastMs = 0
let seq = 0

/** `sub_01jd…`: 9 time characters, 3 sequence characters, 8 random characters. */
export function newId(prefix: string, nowMs = Date.now()): string {
  if (nowMs === lastMs) seq++
  else {
    lastMs = nowMs
    seq = 0
  }
  let time = ''
  for (let t = nowMs, i = 0; i < 9; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time
  let counter = ''
  for (let s = seq, i = 0; i < 3; i++, s = Math.floor(s / 32)) counter = ALPHABET[s % 32] + counter
  return `${prefix}_${time}${counter}${base32(random8())}`
}
