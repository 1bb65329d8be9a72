/** The live confirmation after a purchase: "Applying your top-up…" until the agent enforces it. */
import { bytes } from '../ui/format.js'
import type { TopUpStatus } from './topup-status.js'

export function TopUpStatusNotice({ status, topUpBytes }: { status: TopUpStatus; topUpBytes: number }) {
  // The classes sit inside the live region: live.js swaps its inner HTML, never the region itself.
  return (
    <div id="topup-status" data-live role="status">
      {status === 'pending' ? (
        <div class="notice pending">
          <p class="status-title">Applying your top-up…</p>
          <p>Your connection gets the new limit in a moment. This page updates by itself.</p>
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
