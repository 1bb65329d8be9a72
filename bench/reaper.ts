/**
 * Child processes to SIGKILL if the benchmark exits early (an error, Ctrl-C): a controller or an
 * agent left running would hold its data dir and keep driving a namespace that is being deleted.
 */
const live = new Set<number>()

process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
})

export function reapOnExit(pid: number | undefined): void {
  if (pid !== undefined) live.add(pid)
}

/** The child has exited (or was stopped on purpose): its pid may be reused, so never signal it again. */
export function released(pid: number | undefined): void {
  if (pid !== undefined) live.delete(pid)
}
