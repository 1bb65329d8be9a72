/**
 * Agent memory: the resident set (VmRSS in /proc/<pid>/status) of a real agent process (nftables
 * driver in a namespace router, connected to a real controller; and, for a steady state, the same with
 * its books from its state dir and no controller to reach) managing N subscribers, after it has polled
 * for a while, run from source (`pnpm agent`, under tsx) and as production runs it (the built
 * `capd-agent.mjs` with plain node). Baselines from the same run: an idle `node -e`, and the same
 * with the tsx loader the source runs under.
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildCapd } from '../cli/src/build/build.js'
import { createNetnsRouter, type NetnsRouter } from '../test/src/support/netns-router.js'
import { agentStateDir, newDisconnects, startAgentProcess, TSX_LOADER } from './agent-process.js'
import { fleetAddress, seedFleet, startFleetController, wsUrl } from './fleet.js'
import { closedPort, OFFLINE_AGENT_TOKEN, seedStateDir } from './offline-agent.js'
import { reapOnExit, released } from './reaper.js'
import type { RouterBenchConfig } from './router-config.js'
import { withScratchDir } from './scratch.js'
import { sleep } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const SAMPLE_EVERY_MS = 250
const IDLE_SETTLE_MS = 1_500

interface Memory {
  rssKb: number
  /** Peak resident set since the process started. */
  hwmKb: number
}

async function memoryOf(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') }
}

/** An idle node process: how much any node process holds before it does anything. */
async function idleNode(execArgv: string[]): Promise<Memory> {
  const { NODE_OPTIONS: _ignored, ...env } = process.env
  const child = spawn(process.execPath, [...execArgv, '-e', 'setInterval(() => {}, 1 << 30)'], {
    env,
    stdio: 'ignore',
  })
  reapOnExit(child.pid)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    await sleep(IDLE_SETTLE_MS)
    return await memoryOf(child.pid!)
  } finally {
    child.kill('SIGKILL')
    await exited
    released(child.pid)
  }
}

/** Subscribers in the agent's counter map: the sync has been applied once it holds all of them. */
async function subscribersInRouter(net: NetnsRouter): Promise<number> {
  try {
    const text = await net.exec(net.routerNs, ['nft', '-j', 'list', 'map', 'inet', 'capd', 'cd4'])
    const map = (JSON.parse(text) as { nftables: Array<{ map?: { elem?: unknown[] } }> }).nftables.find(
      (o) => o.map,
    )
    return map?.map?.elem?.length ?? 0
  } catch {
    return 0
  }
}

/** Connected to a live controller, or with books from its state dir and no controller to reach. */
type Mode = 'connected' | 'offline'

/** The sources under tsx, or the built bundle with plain node and some node flags. */
interface Runtime {
  name: string
  bundle?: { path: string; nodeFlags: readonly string[] }
}

/** The node flags capd-agent.service starts the bundle with (between node and the script). */
async function unitNodeFlags(): Promise<string[]> {
  const unit = await readFile(join(import.meta.dirname, '../packaging/capd-agent.service'), 'utf8')
  const exec = /^ExecStart=(\S+) (.*?) ?\/opt\/capd\/capd-agent\.mjs /m.exec(unit)
  if (!exec) throw new Error('capd-agent.service: no ExecStart running /opt/capd/capd-agent.mjs')
  return exec[2]!.split(' ').filter((flag) => flag !== '')
}

/** CPU time (user + system) the process has used, in clock ticks (1/100 s on Linux). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces, in parentheses): utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

interface RssRow {
  runtime: string
  mode: Mode
  subscribers: number
  rssKb: number
  maxRssKb: number
  hwmKb: number
  /** CPU time used while it was watched, as a share of one CPU. */
  cpuShare: number
  /** Controller connections the agent lost while it was watched, with the close reasons. */
  disconnects: { count: number; text: string }
}

async function measure(
  subscribers: number,
  mode: Mode,
  runtime: Runtime,
  config: RouterBenchConfig,
): Promise<RssRow> {
  return withScratchDir(config.tmpRoot, async (dir) => {
    const net = await createNetnsRouter({ customers: 0 })
    const stops: Array<() => Promise<unknown>> = [() => net.destroy()]
    try {
      let controllerUrl = `ws://127.0.0.1:${await closedPort()}`
      let token = OFFLINE_AGENT_TOKEN
      if (mode === 'connected') {
        const addresses = Array.from({ length: subscribers }, (_, i) => fleetAddress(i))
        const fleet = await seedFleet(dir, { capBytes: 100e9, onCap: 'block' }, addresses)
        const controller = await startFleetController(dir)
        stops.unshift(() => controller.kill())
        controllerUrl = wsUrl(controller.baseUrl)
        token = fleet.agentToken
      } else {
        await seedStateDir(agentStateDir(dir), subscribers)
      }
      const agent = await startAgentProcess({
        controller: controllerUrl,
        token,
        dir,
        netns: net.routerNs,
        pollIntervalMs: 1000,
        readyWhen: mode === 'connected' ? 'connected' : 'started',
        ...(runtime.bundle ? { bundle: runtime.bundle } : {}),
      })
      stops.unshift(() => agent.kill())
      const deadline = Date.now() + 60_000
      while ((await subscribersInRouter(net)) < subscribers) {
        if (Date.now() > deadline)
          throw new Error(`the agent did not apply ${subscribers} subscribers in 60 s`)
        await sleep(500)
      }
      const closedBefore = agent.disconnects()
      const ticksBefore = await cpuTicks(agent.pid)
      const watchStart = Date.now()
      let maxRssKb = 0
      const watchUntil = watchStart + config.rssSettleSeconds * 1000
      while (Date.now() < watchUntil) {
        maxRssKb = Math.max(maxRssKb, (await memoryOf(agent.pid)).rssKb)
        await sleep(SAMPLE_EVERY_MS)
      }
      const end = await memoryOf(agent.pid)
      const cpuShare = ((await cpuTicks(agent.pid)) - ticksBefore) / 100 / ((Date.now() - watchStart) / 1000)
      return {
        runtime: runtime.name,
        cpuShare,
        mode,
        subscribers,
        rssKb: end.rssKb,
        maxRssKb: Math.max(maxRssKb, end.rssKb),
        hwmKb: end.hwmKb,
        disconnects: newDisconnects(closedBefore, agent.disconnects()),
      }
    } finally {
      for (const stop of stops) await stop().catch(() => {})
    }
  })
}

export async function agentRss(config: RouterBenchConfig): Promise<void> {
  console.log(
    `\n## Agent memory (agent process, from source under tsx and as the built bundle under plain node, with the nftables driver polling every 1000 ms, connected to a ` +
      `controller or with none to reach; RSS sampled every ${SAMPLE_EVERY_MS} ms for ` +
      `${config.rssSettleSeconds} s once every subscriber is in the router)\n`,
  )
  const rows: RssRow[] = []
  const runtimeNames: string[] = []
  const { bare, loader } = await withScratchDir(config.tmpRoot, async (dir) => {
    await buildCapd(join(import.meta.dirname, '..'), dir)
    const path = join(dir, 'capd-agent.mjs')
    const flags = await unitNodeFlags()
    const runtimes: Runtime[] = [
      { name: 'capd agent (tsx)' },
      { name: 'capd-agent.mjs (node)', bundle: { path, nodeFlags: [] } },
      { name: `capd-agent.mjs (node ${flags.join(' ')}, as the unit)`, bundle: { path, nodeFlags: flags } },
    ]
    const bare = await idleNode([])
    const loader = await idleNode(['--import', TSX_LOADER])
    runtimeNames.push(...runtimes.map((r) => r.name))
    for (const runtime of runtimes) {
      for (const mode of ['connected', 'offline'] as const) {
        for (const n of config.agentSubscriberCounts) rows.push(await measure(n, mode, runtime, config))
      }
    }
    return { bare, loader }
  })
  const name = (r: RssRow) =>
    `${r.runtime}, ${r.mode === 'connected' ? 'connected' : 'controller unreachable'}`
  const mb = (kb: number) => formatNumber(kb / 1024)
  printTable(
    [
      'process',
      'subscribers',
      'RSS MB',
      'max RSS MB',
      'peak (HWM) MB',
      'vs idle node',
      'vs idle node+tsx',
      'CPU %',
      'disconnects',
    ],
    [
      [
        'idle node -e',
        '-',
        mb(bare.rssKb),
        '-',
        mb(bare.hwmKb),
        ratio(bare.rssKb, bare.rssKb),
        '-',
        '-',
        '-',
      ],
      [
        'idle node --import tsx -e',
        '-',
        mb(loader.rssKb),
        '-',
        mb(loader.hwmKb),
        ratio(loader.rssKb, bare.rssKb),
        ratio(loader.rssKb, loader.rssKb),
        '-',
        '-',
      ],
      ...rows.map((r) => [
        name(r),
        r.subscribers.toLocaleString('en-US'),
        mb(r.rssKb),
        mb(r.maxRssKb),
        mb(r.hwmKb),
        ratio(r.rssKb, bare.rssKb),
        r.runtime === runtimeNames[0] ? ratio(r.rssKb, loader.rssKb) : '-',
        formatNumber(r.cpuShare * 100, 1),
        r.mode === 'connected' ? r.disconnects.text : '-',
      ]),
    ],
  )
  console.log('')
  for (const runtime of runtimeNames) {
    for (const mode of ['connected', 'offline'] as const) {
      const same = rows.filter((r) => r.mode === mode && r.runtime === runtime)
      if (same.length < 2) continue
      const [small, large] = [same[0]!, same[same.length - 1]!]
      const perSubscriberKb = (large.rssKb - small.rssKb) / (large.subscribers - small.subscribers)
      console.log(
        `per subscriber, ${name(small)} ` +
          `(RSS difference ${small.subscribers.toLocaleString('en-US')} → ${large.subscribers.toLocaleString('en-US')}): ` +
          `${formatNumber(perSubscriberKb, 2)} kB`,
      )
    }
  }
  console.log(
    '\nRSS = VmRSS at the end of the window, max RSS = the largest sample in it, peak = VmHWM (the most the ' +
      'process ever held, the first apply of every subscriber included). disconnects = controller ' +
      'connections the agent lost in the window, by close code and reason: each is followed by a reconnect and ' +
      'a full sync, so anything but 0 means the agent was not in a steady state. controller unreachable = the ' +
      'same agent with the same subscribers from its state dir (as after a restart while the controller is ' +
      'away) and no controller to reach: a steady state to compare with. CPU % = CPU time the agent used in ' +
      'the window, of one CPU. "as the unit" = with the node flags packaging/capd-agent.service starts it with.',
  )
}
