/** Opens the agent's state dir: the checkpoint (`state.json`) and the journal replayed onto it. */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '@capd/log'
import { type AgentState, freshState, loadCheckpoint, saveCheckpoint } from './checkpoint.js'
import { Journal } from './journal.js'
import { replay } from './replay.js'

export interface OpenedState {
  state: AgentState
  journal: Journal
  checkpointPath: string
}

/** Loads or starts the state in `stateDir`; `log` is the journal's logger (torn tails, dropped journals). */
export async function openState(stateDir: string, log: Logger): Promise<OpenedState> {
  await mkdir(stateDir, { recursive: true })
  const checkpointPath = join(stateDir, 'state.json')
  let state = await loadCheckpoint(checkpointPath)
  const { journal, records } = await Journal.open(
    join(stateDir, 'journal.log'),
    (line) => log.warn(line),
    state ?? freshState(),
  )
  if (!state) {
    state = freshState()
    if (records.length > 0) {
      log.warn('capd agent: journal without state file; starting a new epoch and dropping the old journal')
      await journal.clear()
    }
    // The epoch is durable before any entry refers to it.
    await saveCheckpoint(checkpointPath, state)
  } else replay(state, records)
  return { state, journal, checkpointPath }
}
