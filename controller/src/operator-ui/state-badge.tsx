/** A subscriber's enforcement state as a word in a badge (never colour alone). */
import type { EnforcementState } from '../store/entities.js'

export const StateBadge = ({ state }: { state: EnforcementState }) => (
  <span class={`badge ${state}`}>{state}</span>
)
