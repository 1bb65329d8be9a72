/** Records the statements a PostgreSQL store sends, for tests that hold the round trips of a path down. */
import type pg from 'pg'

/** One statement as sent: its text and parameters. */
export interface Statement {
  readonly sql: string
  readonly params: readonly unknown[]
}

export interface StatementLog {
  /**
   * The statements sent since the last `take`, one list per client taken from the pool (so one per
   * transaction, BEGIN and COMMIT included), in the order the clients were taken; clears the log.
   */
  take(): Statement[][]
  /** Stops recording (clients already handed out keep counting until released). */
  stop(): void
}

/** Wraps `pool.connect` so every client it hands out records each `query` it runs (not `pool.query`'s). */
export function logStatements(pool: pg.Pool): StatementLog {
  let log: Statement[][] = []
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => Promise<pg.PoolClient>
  const wrapped = async (...args: unknown[]) => {
    // pool.query takes its client through a callback: one statement, counted nowhere here.
    if (args.length > 0) return connect(...args)
    const client = await connect()
    const statements: Statement[] = []
    log.push(statements)
    return new Proxy(client, {
      get(target, key) {
        const value = Reflect.get(target, key, target)
        if (key !== 'query') return typeof value === 'function' ? value.bind(target) : value
        return (sql: unknown, ...rest: unknown[]) => {
          const text = typeof sql === 'string' ? sql : String((sql as { text?: string }).text)
          statements.push({ sql: text, params: Array.isArray(rest[0]) ? rest[0] : [] })
          return (value as (...a: unknown[]) => unknown).call(target, sql, ...rest)
        }
      },
    })
  }
  ;(pool as { connect: unknown }).connect = wrapped
  return {
    take: () => {
      const taken = log
      log = []
      return taken
    },
    stop: () => {
      ;(pool as { connect: unknown }).connect = connect
    },
  }
}
