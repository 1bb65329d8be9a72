/** API and agent tokens: random, shown once, stored as a SHA-256 hash, compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A new token: a recognisable prefix, then 256 random bits. */
export function newToken(prefix: 'capd'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`
}

/** Random tokens carry enough entropy that a fast hash is safe; a slow one would only cost latency. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** True when `token` hashes to `storedHash`, in time independent of where they differ. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex')
  const b = Buffer.from(storedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
