/** Open sessions held by hand for CoA enforcer tests (the accounting server's role), and rules to apply. */
import type { EnforcementState, SubscriberRule } from '../driver.js'
import type { SessionSource } from './coa-enforcer.js'
import type { OpenSession } from './ledger.js'

export interface HandSessions extends SessionSource {
  /** Opens session `sessionId` of `login` (subscriber `sub_<login>`) at the NAS whose NAS-IP-Address is `nasIp`. */
  open(login: string, sessionId: string, nasIp?: string): void
  end(sessionId: string): void
  /** Tells the listeners, as a recorded Accounting-Request does. */
  changed(): void
}

export function handSessions(): HandSessions {
  const sessions = new Map<string, { subscriberId: string; session: OpenSession }>()
  const listeners: (() => void)[] = []
  return {
    openSessions() {
      const result = new Map<string, OpenSession[]>()
      for (const { subscriberId, session } of sessions.values())
        result.set(subscriberId, [...(result.get(subscriberId) ?? []), session])
      return result
    },
    onSessions: (listener) => listeners.push(listener),
    open(login, sessionId, nasIp = '192.0.2.1') {
      const nas = `${nasIp}/`
      const address = `100.64.${sessions.size >> 8}.${sessions.size & 0xff}`
      sessions.set(sessionId, {
        subscriberId: `sub_${login}`,
        session: { key: `${nas}\u0000${sessionId}`, nas, sessionId, login, address },
      })
    },
    end(sessionId) {
      sessions.delete(sessionId)
    },
    changed() {
      for (const listener of listeners) listener()
    },
  }
}

export function rule(
  login: string,
  state: EnforcementState,
  throttleKbps?: number,
  throttleUpKbps?: number,
): SubscriberRule {
  return {
    subscriberId: `sub_${login}`,
    login,
    address: '100.64.0.1',
    state,
    ...(throttleKbps === undefined ? {} : { throttleKbps }),
    ...(throttleUpKbps === undefined ? {} : { throttleUpKbps }),
  }
}
