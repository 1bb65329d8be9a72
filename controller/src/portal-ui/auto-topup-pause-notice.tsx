/** The portal's word that auto top-up is paused, why, and what the customer can do about it. */
import { type AutoTopUpPause, pauseSentence } from '../ui/auto-topup-pause.js'

export interface AutoTopUpPauseNoticeProps {
  pause: AutoTopUpPause | undefined
  timeZone: string
  /** Whether the page has a top-up to buy. */
  canBuy: boolean
}

interface Advice {
  href: string
  text: string
}

/** What can lift the pause, linked to the part of the page that does it. */
function adviceFor(pause: AutoTopUpPause, canBuy: boolean): Advice[] {
  const buy = canBuy ? [{ href: '#buy-title', text: 'buy one now' }] : []
  const settings = (text: string) => (pause.customerMayChange ? [{ href: '#auto-topup-title', text }] : [])
  switch (pause.reason) {
    case 'max_per_period':
      return [...buy, ...settings('raise the maximum')]
    case 'spend_cap':
      return [...buy, ...settings('raise the spend limit')]
    case 'insufficient_balance':
      return [{ href: '#balance-title', text: 'add money' }, ...buy]
    case 'plan_unavailable':
      return [...settings('choose another top-up plan'), ...buy]
    case 'min_interval':
      return []
  }
}

export function AutoTopUpPauseNotice({ pause, timeZone, canBuy }: AutoTopUpPauseNoticeProps) {
  const advice = pause ? adviceFor(pause, canBuy) : []
  return (
    <div id="auto-topup-paused" data-live role="status">
      {pause ? (
        <p class={`notice ${pause.reason === 'min_interval' ? 'pending' : 'error'}`}>
          {pauseSentence(pause, timeZone)}
          {advice.length > 0 ? ' — ' : null}
          {advice.map((a, i) => (
            <>
              {i > 0 ? ' or ' : null}
              <a href={a.href}>{a.text}</a>
            </>
          ))}
          {advice.length > 0 ? '.' : null}
        </p>
      ) : null}
    </div>
  )
}
