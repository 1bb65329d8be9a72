/** Undo closures recorded by a transaction, run newest first when it fails. */
export class UndoLog {
  private steps: (() => void)[] = []

  record(step: () => void): void {
    this.steps.push(step)
  }

  get changed(): boolean {
    return this.steps.length > 0
  }

  rollback(): void {
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!()
    this.steps = []
  }

  clear(): void {
    this.steps = []
  }
}
