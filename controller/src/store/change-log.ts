/**
 * What one transaction changed, both ways: undo steps (run newest first if it fails) and redo
 * ops (written to the write-ahead log if it commits).
 */
import type { RedoOp } from './wal-file.js'

export class ChangeLog {
  private undos: (() => void)[] = []
  private redos: RedoOp[] = []

  record(undo: () => void, redo: RedoOp): void {
    this.undos.push(undo)
    this.redos.push(redo)
  }

  get changed(): boolean {
    return this.redos.length > 0
  }

  get ops(): readonly RedoOp[] {
    return this.redos
  }

  rollback(): void {
    for (let i = this.undos.length - 1; i >= 0; i--) this.undos[i]!()
    this.undos = []
    this.redos = []
  }
}
