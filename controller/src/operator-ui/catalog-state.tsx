/** Whether a plan or top-up plan is on offer, as a word in a badge (never colour alone). */
export const CatalogState = ({ retiredAtMs }: { retiredAtMs?: number | undefined }) =>
  retiredAtMs === undefined ? (
    <span class="badge active">active</span>
  ) : (
    <span class="badge retired">retired</span>
  )
