/** Who a message went to, in words: the customer's name (linked) and address, a staff address, or a webhook URL. */
import type { Recipient } from './deliveries-data.js'

export function RecipientCell({ r }: { r: Recipient }) {
  if (r.kind === 'subscriber') {
    return (
      <>
        <a href={`/subscribers/${encodeURIComponent(r.subscriberId)}`}>{r.name}</a>
        <span class="hint">{` ${r.address}`}</span>
      </>
    )
  }
  if (r.kind === 'staff') return <>{`Staff: ${r.address}`}</>
  return <>{r.url ? `Webhook: ${r.url}` : `Webhook ${r.endpointId} (removed)`}</>
}
