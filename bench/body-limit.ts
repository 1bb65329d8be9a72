/**
 * What one oversized unauthenticated login form costs the server: peak RSS of capd's controller app
 * against a same-run baseline that reads the form as capd did before its body limit. Each server
 * runs in its own child process, so the load generator's memory is not counted.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { positiveInt } from './config.js'
import { formatNumber, printTable, ratio } from './table.js'

interface Report {
  port: number
  maxRssBytes: number
}

const MiB = 1024 * 1024

/** Starts a server child, posts one `bodyMiB` form to /login, and returns its status and peak RSS growth. */
async function measure(variant: 'capd' | 'uncapped', bodyMiB: number, chunked: boolean) {
  const child = fork(fileURLToPath(new URL('./body-limit-child.ts', import.meta.url)), [variant], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const next = () => new Promise<Report>((resolve) => child.once('message', (m) => resolve(m as Report)))
  try {
    const before = await next()
    const form = Buffer.concat([Buffer.from('username=admin&password='), Buffer.alloc(bodyMiB * MiB, 0x61)])
    // Chunked: no Content-Length, so the server can only count what arrives.
    const body = chunked
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < form.length; at += MiB) controller.enqueue(form.subarray(at, at + MiB))
            controller.close()
          },
        })
      : form
    const res = await fetch(`http://127.0.0.1:${before.port}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    } as RequestInit).catch(() => undefined)
    await res?.arrayBuffer().catch(() => {})
    const after = next()
    child.send('report')
    const { maxRssBytes } = await after
    return { status: res?.status ?? 0, growthBytes: maxRssBytes - before.maxRssBytes }
  } finally {
    child.disconnect()
  }
}

export async function bodyLimitCost(): Promise<void> {
  const bodyMiB = positiveInt('BENCH_BODY_MIB', 64)
  console.log(`\nOne ${bodyMiB} MiB login form: peak RSS growth of the server (child process)`)
  const rows = []
  for (const chunked of [false, true]) {
    const framing = chunked ? 'chunked' : 'Content-Length'
    const baseline = await measure('uncapped', bodyMiB, chunked)
    const capd = await measure('capd', bodyMiB, chunked)
    rows.push(
      [
        `form read whole (baseline), ${framing}`,
        baseline.status,
        formatNumber(baseline.growthBytes / MiB),
        '1.0x',
      ],
      [
        `capd, body capped, ${framing}`,
        capd.status,
        formatNumber(capd.growthBytes / MiB),
        ratio(capd.growthBytes, baseline.growthBytes),
      ],
    )
  }
  printTable(['server', 'status', 'peak RSS growth (MiB)', 'vs baseline'], rows)
}

if (import.meta.url === `file://${process.argv[1]}`) await bodyLimitCost()
