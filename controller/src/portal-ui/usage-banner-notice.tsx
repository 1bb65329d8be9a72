/** The home page's banner about the data used: "You have used 80% of your data", or that it is all used. */
import { date } from '../ui/format.js'
import type { UsageBanner } from './usage-banner.js'

export interface UsageBannerNoticeProps {
  banner: UsageBanner | undefined
  periodEndMs: number
  timeZone: string
  /** Whether the page has a top-up to buy (none while suspended or with nothing on offer). */
  canBuy: boolean
}

const CUT_TEXT = {
  paused: 'You have used all your data — access is paused until you top up',
  slowed: 'You have used all your data — your speed is reduced until you top up',
} as const

export function UsageBannerNotice({ banner, periodEndMs, timeZone, canBuy }: UsageBannerNoticeProps) {
  // A polite status, not an alert: the region stays in the page and live.js swaps only its
  // content, so a reader hears the banner when it changes (80% → all used), not on every figure.
  return (
    <div id="usage-alert" data-live role="status">
      {banner ? (
        <div class={`notice ${banner.kind === 'cap' && banner.cut === 'paused' ? 'error' : 'pending'}`}>
          <p class="status-title">
            {banner.kind === 'cap' ? CUT_TEXT[banner.cut] : `You have used ${banner.percent}% of your data`}
          </p>
          {/* The period's end is the next one's first instant: name the last day it covers. */}
          <p>{`This period ends on ${date(periodEndMs - 1, timeZone)}.`}</p>
          {canBuy ? (
            <p>
              <a class="button primary" href="#buy-title">
                Buy a top-up
              </a>
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}
