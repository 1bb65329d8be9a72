/** The subscriber page's buckets this period: plan data, top-ups, rolled-over data; size, used, left, valid until. */
import type { AllowanceShown } from '../domain/allowance-shown.js'
import type { BucketView } from '../store/entities.js'
import { DataTable } from '../ui/data-table.js'
import { bytes, date, dateTime } from '../ui/format.js'

export function bucketName(b: BucketView, timeZone: string): string {
  switch (b.kind) {
    case 'plan':
      return `Plan data (${b.label})`
    case 'topup':
      return `Top-up (bought ${date(b.validFromMs, timeZone)})`
    case 'rollover':
      return 'Rolled over'
  }
}

export function SubscriberBuckets({ allowance, timeZone }: { allowance: AllowanceShown; timeZone: string }) {
  const { freeBytes, overBytes } = allowance
  return (
    <div class="buckets">
      <h3 id="buckets-title">Buckets</h3>
      <DataTable
        rows={allowance.buckets}
        labelledBy="buckets-title"
        empty="No buckets this period."
        columns={[
          { header: 'Bucket', cell: (b) => bucketName(b, timeZone) },
          { header: 'Size', num: true, cell: (b) => bytes(b.sizeBytes) },
          { header: 'Used', num: true, cell: (b) => bytes(b.usedBytes) },
          // An expired bucket's unused part is lost: say so rather than show it as left.
          {
            header: 'Left',
            num: true,
            cell: (b) => (b.expired ? `${bytes(b.leftBytes)} lost` : bytes(b.leftBytes)),
          },
          {
            header: 'Valid until',
            cell: (b) =>
              b.expired ? (
                <span class="expired">{`Expired ${dateTime(b.validUntilMs, timeZone)}`}</span>
              ) : (
                dateTime(b.validUntilMs, timeZone)
              ),
          },
        ]}
      />
      {freeBytes ? (
        <p class="muted">{`Used in free hours (drawn from no bucket): ${bytes(freeBytes)}`}</p>
      ) : null}
      {overBytes ? <p class="muted">{`Used past every bucket: ${bytes(overBytes)}`}</p> : null}
    </div>
  )
}
