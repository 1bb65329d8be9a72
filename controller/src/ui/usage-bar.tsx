/** A usage bar: used of limit as an SVG (no inline style, so the strict CSP holds) with a text equivalent. */
import { bytes, percentUsed } from './format.js'

export function UsageBar({
  usedBytes,
  limitBytes,
  label,
}: {
  usedBytes: number
  limitBytes: number
  label?: string
}) {
  const pct = percentUsed(usedBytes, limitBytes)
  const level = pct >= 100 ? 'full' : pct >= 80 ? 'high' : 'ok'
  const text = `${bytes(usedBytes)} of ${bytes(limitBytes)} used (${pct}%)`
  return (
    <div class={`usage-bar ${level}`}>
      <svg
        viewBox="0 0 100 10"
        preserveAspectRatio="none"
        role="img"
        aria-label={label ? `${label}: ${text}` : text}
      >
        <rect class="track" x="0" y="0" width="100" height="10" />
        <rect class="fill" x="0" y="0" width={String(pct)} height="10" />
      </svg>
      <span class="usage-text">{text}</span>
    </div>
  )
}
