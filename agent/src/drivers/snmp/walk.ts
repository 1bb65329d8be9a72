/** Reading many variables fast: a table column walked with GetBulk, known instances fetched with pipelined Gets. */
import { compareOids, instanceOf } from './oids.js'
import { SnmpError, type SnmpSession } from './session.js'
import type { SnmpValue, Varbind } from './varbind.js'

/** Every row of one column, in OID order. */
export async function walkColumn(
  session: SnmpSession,
  column: string,
  maxRepetitions: number,
): Promise<Varbind[]> {
  const rows: Varbind[] = []
  let cursor = column
  for (;;) {
    const [answer = []] = await session.getBulk([cursor], maxRepetitions)
    if (answer.length === 0) throw new SnmpError('protocol', `empty GetBulk answer while walking ${column}`)
    for (const vb of answer) {
      if (vb.value.type === 'endOfMibView' || instanceOf(column, vb.oid) === undefined) return rows
      // An agent that does not move forward would keep us walking for ever.
      if (compareOids(vb.oid, cursor) <= 0) {
        throw new SnmpError('protocol', `agent returned ${vb.oid} after ${cursor} while walking ${column}`)
      }
      rows.push(vb)
      cursor = vb.oid
    }
  }
}

export interface GetManyOptions {
  /** Variables per GetRequest; halved for a request the agent answers tooBig. */
  perRequest: number
  /** GetRequests in flight at once. */
  concurrency: number
}

/** The value of every OID, in the order given, with at most `concurrency` requests in flight. */
export async function getMany(
  session: SnmpSession,
  oids: readonly string[],
  { perRequest, concurrency }: GetManyOptions,
): Promise<SnmpValue[]> {
  const chunks: string[][] = []
  for (let i = 0; i < oids.length; i += perRequest) chunks.push(oids.slice(i, i + perRequest))
  const answers: SnmpValue[][] = new Array(chunks.length)
  let next = 0
  let failed = false
  const worker = async () => {
    // After one failure the poll is lost: send nothing more.
    while (next < chunks.length && !failed) {
      const index = next++
      try {
        answers[index] = await getChunk(session, chunks[index]!)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker))
  return answers.flat()
}

async function getChunk(session: SnmpSession, oids: string[]): Promise<SnmpValue[]> {
  let answer: Varbind[]
  try {
    answer = await session.get(oids)
  } catch (error) {
    if (error instanceof SnmpError && error.status === 'tooBig' && oids.length > 1) {
      const half = Math.ceil(oids.length / 2)
      return [
        ...(await getChunk(session, oids.slice(0, half))),
        ...(await getChunk(session, oids.slice(half))),
      ]
    }
    throw error
  }
  if (answer.length !== oids.length || answer.some((vb, i) => vb.oid !== oids[i])) {
    throw new SnmpError('protocol', `GetRequest for ${oids[0]} … answered with other variables`)
  }
  return answer.map((vb) => vb.value)
}
