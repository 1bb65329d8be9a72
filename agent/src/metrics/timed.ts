/**
 * Runs `work` and reports how it ended and how long it took, whether it resolved or threw; a result
 * `counts` says is no real outcome (work that stopped to give way) is not reported.
 */
export async function timed<T>(
  work: () => Promise<T>,
  report: (outcome: 'ok' | 'failed', seconds: number) => void,
  counts: (result: T) => boolean = () => true,
): Promise<T> {
  const startedMs = performance.now()
  const seconds = () => (performance.now() - startedMs) / 1000
  let result: T
  try {
    result = await work()
  } catch (err) {
    report('failed', seconds())
    throw err
  }
  if (counts(result)) report('ok', seconds())
  return result
}
