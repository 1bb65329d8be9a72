/** A subscriber's address as the pages show it: a subscriber known by login has none of its own. */
import type { Subscriber } from '../store/entities.js'

/** What stands where a login-identified subscriber's address would be. */
export const FROM_LOGIN = 'from login'

export const subscriberAddress = (sub: Pick<Subscriber, 'address'>) =>
  sub.address ?? (
    <span class="hint" title="The agent finds the address from the router's sessions by login.">
      {FROM_LOGIN}
    </span>
  )
