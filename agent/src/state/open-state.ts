/**
 * Opens the agent's state dir: the checkpoint (`state.json`) with the state log after it
 * (state-store.ts), and the journal replayed onto them.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '@capd/log'
import { type AgentState, freshState } from './checkpoint.js'
import { Journal } from './journal.js'
import { replay } from './replay.js'
import { StateStore, type StateStoreOptions } from './state-store.js'

export interface OpenedState {
  state: AgentState
  journal: Journal
  store: StateStore
}

/** Loads or starts the state in `stateDir`; `log` is the journal's logger (torn tails, dropped journals). */
export async function openState(
  stateDir: string,
  log: Logger,
  options: StateStoreOptions = {},
): Promise<OpenedState> {
  await mkdir(stateDir, { recursive: true })
  const report = (line: string) => log.warn(line)
  let store = await StateStore.open(stateDir, report, options)
  const { journal, records } = await Journal.open(
    join(stateDir, 'journal.log'),
    report,
    store?.state ?? freshState(),
  )
  if (!store) {
    if (records.length > 0) {
      log.warn('capd agent: journal without state file; starting a new epoch and dropping the old journal')
      await journal.clear()
    }
    // The epoch is durable before any entry refers to it.
    store = await StateStore.create(stateDir, freshState(), report, options)
  } else replay(store.state, records)
  return { state: store.state, journal, store }
}
