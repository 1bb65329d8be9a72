/** Work written as a generator that yields between steps: run to its end at once, or in slices. */

/** Runs the steps to the end at once. */
export function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/** Runs the steps to the end, awaiting `breathe()` (the loop turns) after each. */
export async function finishInSlices<T>(steps: Generator<void, T>, breathe: () => Promise<void>): Promise<T> {
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    await breathe()
  }
}
