/**
 * Agent poll cost at N subscribers: one full `Agent.pollNow()` (read the counters, the usage engine,
 * journal, books, and `apply` of the unchanged rules) against a bare `nft -j list table inet capd`
 * of the same table, run the way the agent runs nft, interleaved in the same run. The agent is the
 * real one in this process with the real nftables driver in a namespace router; its books come from
 * its state dir (as after a restart while the controller is away), so no controller traffic lands
 * between the timed polls. A poll without new usage sends nothing, connected or not.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { memoryLogger } from '@capd/log'
import { Agent } from '../agent/src/agent.js'
import { loadAgentConfig } from '../agent/src/config.js'
import { createDriver } from '../agent/src/drivers/create-driver.js'
import type { RouterDriver } from '../agent/src/drivers/driver.js'
import { createNetnsRouter } from '../test/src/support/netns-router.js'
import { closedPort, OFFLINE_AGENT_TOKEN, seedStateDir } from './offline-agent.js'
import type { RouterBenchConfig } from './router-config.js'
import { withScratchDir } from './scratch.js'
import { median, sleep } from './stats.js'
import { formatNumber, printTable, ratio } from './table.js'

const WARMUP_POLLS = 2

interface PollRow {
  subscribers: number
  bareMs: number
  pollMs: number
  readMs: number
  applyMs: number
  /** The rest of the poll: usage engine, journal, books, building the rules. */
  otherMs: number
  listingBytes: number
  firstApplyMs: number
  /**
   * The longest the poll held the event loop at one stretch (median over polls): a pushed top-up
   * that arrives then waits that long before the agent even reads it.
   */
  stallMs: number
  /** Lines `nft monitor` printed during the timed polls: 0 when apply really changed nothing. */
  changes: number
}

/** The driver with the time of its last readCounters() and apply() kept, so a poll can be split up. */
function timed(driver: RouterDriver) {
  const last = { readMs: 0, applyMs: 0 }
  const wrapped: RouterDriver = {
    kind: driver.kind,
    start: () => driver.start(),
    close: () => driver.close(),
    async readCounters() {
      const started = performance.now()
      const reading = await driver.readCounters()
      last.readMs = performance.now() - started
      return reading
    },
    async apply(rules, reading, creating) {
      const started = performance.now()
      const report = await driver.apply(rules, reading, creating)
      last.applyMs = performance.now() - started
      return report
    },
  }
  return { driver: wrapped, last }
}

/**
 * The longest stretch the event loop was held while this watch ran: a 1 ms timer's longest wait
 * between two of its turns, less its own 1 ms.
 */
function stallWatch(): { stop(): number } {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last - 1)
    last = now
  }, 1)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(longest, performance.now() - last - 1)
    },
  }
}

/** `ip netns exec <ns> nft -j list table inet capd`, its output taken as bytes and nothing more. */
function bareListing(netns: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('ip', ['netns', 'exec', netns, 'nft', '-j', 'list', 'table', 'inet', 'capd'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let bytes = 0
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length
    })
    child.stderr.resume()
    child.once('error', reject)
    child.once('close', (code) => {
      if (code === 0) resolve({ ms: performance.now() - started, bytes })
      else reject(new Error(`nft -j list table inet capd in ${netns} exited with ${code}`))
    })
  })
}

async function measure(subscribers: number, config: RouterBenchConfig): Promise<PollRow> {
  return withScratchDir(config.tmpRoot, async (dir) => {
    const net = await createNetnsRouter({ customers: 0 })
    let agent: Agent | undefined
    try {
      const stateDir = join(dir, 'agent-state')
      await seedStateDir(stateDir, subscribers)
      const agentConfig = await loadAgentConfig({
        controller: `ws://127.0.0.1:${await closedPort()}`,
        token: OFFLINE_AGENT_TOKEN,
        stateDir,
        // Only the timed polls: the loop's own next poll is a minute away.
        pollIntervalMs: 60_000,
        router: { kind: 'nftables', netns: net.routerNs },
      })
      const { driver, last } = timed(await createDriver(agentConfig))
      const { logger, lines: logs } = memoryLogger('info')
      const started = performance.now()
      // Start enforces the books: the first apply creates every subscriber in the router.
      agent = await Agent.start(agentConfig, driver, { logger })
      const firstApplyMs = last.applyMs
      console.error(
        `  poll cost, ${subscribers} subscribers: agent started in ${formatNumber((performance.now() - started) / 1000)} s`,
      )
      const monitor = net.spawn(net.routerNs, ['nft', 'monitor'])
      let monitored = ''
      monitor.stdout!.setEncoding('utf8').on('data', (text: string) => {
        monitored += text
      })
      for (let i = 0; i < WARMUP_POLLS; i++) await agent.pollNow()
      monitored = ''
      const bare: number[] = []
      const polls: Array<{ ms: number; readMs: number; applyMs: number; stallMs: number }> = []
      let listingBytes = 0
      for (let round = 0; round < config.pollRounds; round++) {
        const listing = await bareListing(net.routerNs)
        bare.push(listing.ms)
        listingBytes = listing.bytes
        const stall = stallWatch()
        const pollStarted = performance.now()
        await agent.pollNow()
        const ms = performance.now() - pollStarted
        polls.push({ ms, ...last, stallMs: stall.stop() })
      }
      await sleep(100) // the last events still on their way
      monitor.kill()
      const changes = monitored.split('\n').filter((line) => line.trim() !== '').length
      // The controller's port is closed on purpose: the link saying so is no problem of the poll.
      const problems = logs.filter((line) => /anomaly|failed/.test(line) && !/"component":"link"/.test(line))
      if (problems.length > 0) throw new Error(`the agent logged problems:\n${problems.join('\n')}`)
      const pollMs = median(polls.map((p) => p.ms))
      const readMs = median(polls.map((p) => p.readMs))
      const applyMs = median(polls.map((p) => p.applyMs))
      return {
        subscribers,
        bareMs: median(bare),
        pollMs,
        readMs,
        applyMs,
        otherMs: median(polls.map((p) => p.ms - p.readMs - p.applyMs)),
        listingBytes,
        firstApplyMs,
        stallMs: median(polls.map((p) => p.stallMs)),
        changes,
      }
    } finally {
      await agent?.stop().catch(() => {})
      await net.destroy()
    }
  })
}

export async function agentPollCost(config: RouterBenchConfig): Promise<void> {
  console.log(
    `\n## Agent poll cost (medians of ${config.pollRounds} polls and ${config.pollRounds} bare listings, ` +
      'interleaved, after 2 untimed polls; no usage moves, so every apply changes nothing)\n',
  )
  const rows: PollRow[] = []
  for (const n of config.agentSubscriberCounts) rows.push(await measure(n, config))
  printTable(
    [
      'subscribers',
      'listing MB',
      'bare nft list ms',
      'agent poll ms',
      'read ms',
      'apply ms',
      'other ms',
      'read vs bare',
      'poll vs bare',
      'longest stall ms',
      'first apply ms',
      'nft changes',
    ],
    rows.map((r) => [
      r.subscribers.toLocaleString('en-US'),
      formatNumber(r.listingBytes / 1e6, 2),
      formatNumber(r.bareMs),
      formatNumber(r.pollMs),
      formatNumber(r.readMs),
      formatNumber(r.applyMs),
      formatNumber(r.otherMs),
      ratio(r.readMs, r.bareMs),
      ratio(r.pollMs, r.bareMs),
      formatNumber(r.stallMs),
      formatNumber(r.firstApplyMs),
      r.changes,
    ]),
  )
  console.log(
    '\ngoal: poll ≤ 1.5x bare. bare = `ip netns exec <router> nft -j list table inet capd`, output taken ' +
      'as bytes; agent poll = Agent.pollNow() of the real agent (real nftables driver, books from its state ' +
      'dir, controller unreachable so nothing arrives between polls); read = driver.readCounters() (the ' +
      'same nft listing + JSON parsing); apply = driver.apply() of the unchanged rules (diff only, no nft ' +
      'batch); other = usage engine, journal, books and building the rules; longest stall = the longest ' +
      'the poll held the event loop at one stretch (a pushed top-up arriving then waits that long); first apply = creating all ' +
      'subscribers at agent start; nft changes = lines `nft monitor` printed during the timed polls (0: ' +
      'the polls changed nothing in the kernel). Subscribers have addresses without hosts in 10.100.0.0/16.',
  )
}
