/**
 * What the agent's metrics cost in memory: the resident set (VmRSS, and the peak VmHWM) of a real
 * agent process (simulated router, books from its state dir, no controller to reach) with N
 * subscribers, polling for a while, without metrics (the baseline, same run) and with
 * `metricsListen` scraped every SCRAPE_EVERY_MS. Run alone: `tsx bench/agent-metrics-rss.ts [N…]`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TSX_LOADER } from './agent-process.js'
import { closedPort, OFFLINE_AGENT_TOKEN, seedStateDir } from './offline-agent.js'
import { reapOnExit, released } from './reaper.js'
import { withScratchDir } from './scratch.js'
import { sleep } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url))
const RUN_MS = 8_000
const SCRAPE_EVERY_MS = 250

async function memoryKb(pid: number): Promise<{ rssKb: number; hwmKb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') }
}

/** Starts the agent, lets it poll (and be scraped) for RUN_MS, and returns its memory then. */
async function measure(subscribers: number, metricsPort: number | undefined) {
  return withScratchDir(tmpdir(), async (dir) => {
    const stateDir = join(dir, 'agent-state')
    await seedStateDir(stateDir, subscribers)
    const configPath = join(dir, 'agent.json')
    await writeFile(
      configPath,
      JSON.stringify({
        controller: `ws://127.0.0.1:${await closedPort()}`,
        token: OFFLINE_AGENT_TOKEN,
        stateDir,
        pollIntervalMs: 1000,
        router: { kind: 'simulated' },
        ...(metricsPort === undefined ? {} : { metricsListen: `127.0.0.1:${metricsPort}` }),
      }),
    )
    const { NODE_OPTIONS: _ignored, ...env } = process.env
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', TSX_LOADER, 'agent/src/main.ts', '--config', configPath, '--log-level', 'warn'],
      { cwd: REPO_ROOT, env: { ...env, CAPD_LOG_FORMAT: 'json' }, stdio: 'ignore' },
    )
    reapOnExit(child.pid)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      let scrapes = 0
      let bytes = 0
      const until = Date.now() + RUN_MS
      while (Date.now() < until) {
        await sleep(SCRAPE_EVERY_MS)
        if (metricsPort === undefined) continue
        const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
          .then((r) => r.text())
          .catch(() => '')
        if (text) scrapes++
        bytes = text.length
      }
      return { ...(await memoryKb(child.pid!)), scrapes, bytes }
    } finally {
      child.kill('SIGKILL')
      await exited
      released(child.pid)
    }
  })
}

export async function agentMetricsRss(counts: readonly number[]): Promise<void> {
  console.log(`\nAgent memory with metrics (simulated router, ${RUN_MS / 1000} s of polling each)`)
  const rows: (string | number)[][] = []
  for (const n of counts) {
    const plain = await measure(n, undefined)
    const port = await closedPort()
    const scraped = await measure(n, port)
    const mb = (kb: number) => formatNumber(kb / 1024)
    rows.push([`${n} subscribers, no metrics`, mb(plain.rssKb), mb(plain.hwmKb), '-', '1.0x'])
    rows.push([
      `${n} subscribers, scraped ${scraped.scrapes}× (${formatNumber(scraped.bytes / 1024)} KiB)`,
      mb(scraped.rssKb),
      mb(scraped.hwmKb),
      mb(scraped.rssKb - plain.rssKb),
      ratio(scraped.rssKb, plain.rssKb),
    ])
  }
  printTable(['agent', 'RSS MB', 'peak MB', 'Δ RSS MB', 'RSS vs none'], rows)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const counts = process.argv.slice(2).map(Number)
  await agentMetricsRss(counts.length > 0 ? counts : [1000, 10000])
}
