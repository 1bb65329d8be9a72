/** The banner a suspended customer sees on the home page, in place of the top-up form. */

/** Why buying is refused while suspended; the support contact comes from the operator's branding later. */
export const SUSPENDED_NO_TOPUPS =
  'Your account is suspended, so top-ups cannot be bought. Contact your provider to have it resumed.'

export function SuspendedNotice({ reason }: { reason: string }) {
  return (
    <div class="notice error" role="alert" id="suspended">
      <p class="status-title">{`Your account is suspended: ${stopped(reason)}`}</p>
      <p>
        You are offline until it is resumed, whatever data you have left, and top-ups cannot be bought
        meanwhile. Contact your provider's support.
      </p>
    </div>
  )
}

/** The reason as a sentence: operators type it with or without the full stop. */
const stopped = (reason: string) => (/[.!?]$/.test(reason) ? reason : `${reason}.`)
