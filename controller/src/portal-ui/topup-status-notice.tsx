/** The live confirmation after a purchase: "Applying your top-up…" until the agent enforces it, then what became of it. */
import { bytes } from '../ui/format.js'
import type { TopUpStatus } from './topup-status.js'

export interface TopUpStatusNoticeProps {
  status: TopUpStatus
  topUpBytes: number
  /** What "pending" is called (an order page says the payment came first). */
  pendingTitle?: string
}

export function TopUpStatusNotice({
  status,
  topUpBytes,
  pendingTitle = 'Applying your top-up…',
}: TopUpStatusNoticeProps) {
  // The classes sit inside the live region: live.js swaps its inner HTML, never the region itself.
  return (
    <div id="topup-status" data-live role="status">
      {status === 'pending' ? (
        <div class="notice pending">
          <p class="status-title">{pendingTitle}</p>
          <p>Your connection gets the new limit in a moment. This page updates by itself.</p>
        </div>
      ) : status === 'used_up' ? (
        <div class="notice">
          <p class="status-title">Your top-up is used up</p>
          <p>{`Your ${bytes(topUpBytes)} top-up was applied and all of it has been used.`}</p>
        </div>
      ) : (
        <div class="notice ok">
          <p class="status-title">{status === 'restored' ? 'Access restored' : 'Top-up applied'}</p>
          <p>{`Your ${bytes(topUpBytes)} top-up is active.`}</p>
        </div>
      )}
    </div>
  )
}
