/** What the subscriber page says first about a suspended or deleted subscriber, and multi-line text shown as lines. */
import type { Subscriber } from '../store/entities.js'
import { dateTime } from '../ui/format.js'

export function LifecycleNotice({ sub, timeZone }: { sub: Subscriber; timeZone: string }) {
  if (sub.deletedAtMs !== undefined) {
    return (
      <p class="notice error" id="deleted">
        <span class="badge deleted">Deleted</span>
        {` on ${dateTime(sub.deletedAtMs, timeZone)}. Its books are kept; it can no longer be changed.`}
      </p>
    )
  }
  if (sub.suspension) {
    return (
      <p class="notice error" id="suspended">
        <span class="badge suspended">Suspended</span>
        {` since ${dateTime(sub.suspension.atMs, timeZone)}: ${sub.suspension.reason}. Blocked whatever data is left.`}
      </p>
    )
  }
  return null
}

/** Text typed over several lines, shown over as many (no markup from it: each line is escaped text). */
export function Lines({ text }: { text: string }) {
  const lines = text.split('\n')
  return (
    <>
      {lines.map((line, i) => (
        <>
          {line}
          {i < lines.length - 1 ? <br /> : null}
        </>
      ))}
    </>
  )
}
