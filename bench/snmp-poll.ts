/**
 * One full SNMP poll of 1,000 interfaces by the counter source (names walked, counters, uptime and
 * discontinuity times read) against `snmpbulkwalk` of the same columns (ifName, ifHCInOctets,
 * ifHCOutOctets), both against one snmpd in a namespace of 500 veth pairs, in the same run.
 */
import { execFileSync, spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import {
  createSnmpCounterSource,
  SNMP_DEFAULTS,
  type SnmpCounterSource,
  type SnmpCounterSourceOptions,
} from '../agent/src/drivers/snmp/counter-source.js'
import { IF_HC_IN_OCTETS, IF_HC_OUT_OCTETS, IF_NAME } from '../agent/src/drivers/snmp/oids.js'
import { type Snmpd, snmpdUnavailableReason, startSnmpd } from '../test/src/support/snmpd.js'
import { withScratchDir } from './scratch.js'
import { formatNumber, printTable, ratio } from './table.js'

const PAIRS = 500
const TITLE = `SNMP poll of ${2 * PAIRS} interfaces`

function rounds(): number {
  const raw = process.env.BENCH_SNMP_ROUNDS
  const value = raw ? Number(raw) : 21
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`BENCH_SNMP_ROUNDS must be a positive integer, got "${raw}"`)
  return value
}

export async function snmpPoll(): Promise<void> {
  const n = rounds()
  console.log(`\n## ${TITLE} (medians of ${n} polls, snmpd default 3 s interface cache)\n`)
  const unavailable =
    process.getuid?.() !== 0
      ? 'needs root'
      : ((await snmpdUnavailableReason()) ??
        (await run(['snmpbulkwalk', '-V']).then(
          () => undefined,
          () => 'needs snmpbulkwalk (apt-get install snmp)',
        )))
  if (unavailable) {
    console.log(`skipped: ${unavailable}`)
    return
  }
  const ns = `capd-bench-snmp-${process.pid}`
  await run(['ip', 'netns', 'add', ns])
  const removeNs = () => {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
    } catch {}
  }
  process.once('exit', removeNs)
  let snmpd: Snmpd | undefined
  const sources: SnmpCounterSource[] = []
  try {
    const setupStarted = performance.now()
    const batch: string[] = ['link set lo up']
    for (let i = 0; i < PAIRS; i++) batch.push(`link add v${i}a type veth peer name v${i}b`)
    for (let i = 0; i < PAIRS; i++) batch.push(`link set v${i}a up`, `link set v${i}b up`)
    await run(['ip', '-n', ns, '-batch', '-'], `${batch.join('\n')}\n`)
    snmpd = await startSnmpd({ netns: ns })
    const setupMs = performance.now() - setupStarted

    const names = new Map<string, string>()
    for (let i = 0; i < PAIRS; i++) names.set(`sub-${i}a`, `v${i}a`).set(`sub-${i}b`, `v${i}b`)
    const common = {
      host: snmpd.host,
      port: snmpd.port,
      table: 'ifName',
      timeoutMs: 2000,
      retries: 1,
    } as const
    const ours = (options: Partial<SnmpCounterSourceOptions>) => {
      const source = createSnmpCounterSource({ ...common, ...options } as SnmpCounterSourceOptions)
      sources.push(source)
      return async () => {
        const reading = await source.readCounters(names)
        if (reading.samples.length !== names.size)
          throw new Error(`${reading.samples.length} samples, not ${names.size}`)
      }
    }
    const community = snmpd.community
    const target = `${snmpd.host}:${snmpd.port}`
    const methods = await withScratchDir(tmpdir(), async (clientDir) => {
      const bulkwalk = (extra: string[]) => async () => {
        let lines = 0
        for (const column of [IF_NAME, IF_HC_IN_OCTETS, IF_HC_OUT_OCTETS]) {
          const out = await run(
            ['snmpbulkwalk', '-v2c', '-c', community, '-On', '-m', '', ...extra, target, column],
            undefined,
            {
              SNMP_PERSISTENT_DIR: clientDir,
            },
          )
          lines += out.split('\n').length - 1
        }
        // lo and the management link are interfaces too.
        if (lines < 3 * names.size) throw new Error(`snmpbulkwalk printed ${lines} lines`)
      }
      const spawnOnly = async () => {
        for (let i = 0; i < 3; i++) {
          await run(
            ['snmpget', '-v2c', '-c', community, '-On', '-m', '', target, '1.3.6.1.2.1.1.3.0'],
            undefined,
            {
              SNMP_PERSISTENT_DIR: clientDir,
            },
          )
        }
      }
      const list: Array<[string, () => Promise<void>]> = [
        ['snmpbulkwalk x3 columns (default -Cr10)', bulkwalk([])],
        [
          `snmpbulkwalk x3 columns (-Cr${SNMP_DEFAULTS.maxRepetitions})`,
          bulkwalk([`-Cr${SNMP_DEFAULTS.maxRepetitions}`]),
        ],
        ['capd v2c, snmp-native', ours({ version: '2c', community })],
        ['capd v2c, net-snmp', ours({ version: '2c', community, engine: 'net-snmp' })],
        ['capd v3 authPriv SHA/AES, net-snmp', ours({ version: '3', ...snmpd!.users.sha })],
        ['(3 x snmpget sysUpTime.0: the process start-up in the snmpbulkwalk rows)', spawnOnly],
      ]
      const times = new Map(list.map(([label]) => [label, [] as number[]]))
      for (const [, poll] of list) await poll() // warm-up: JIT, v3 discovery, snmpd's cache
      for (let round = 0; round < n; round++) {
        // Rotate the order, so snmpd's cache reloads (every 3 s) do not always hit the same method.
        for (let k = 0; k < list.length; k++) {
          const [label, poll] = list[(round + k) % list.length]!
          const started = performance.now()
          await poll()
          times.get(label)!.push(performance.now() - started)
        }
      }
      return list.map(([label]) => ({ label, ms: times.get(label)! }))
    })

    const baseline = median(methods[0]!.ms)
    console.log(
      `setup ${formatNumber(setupMs / 1000, 1)} s (${PAIRS} veth pairs + snmpd); ours walks ifName with ` +
        `GetBulk x${SNMP_DEFAULTS.maxRepetitions}, then Gets ${SNMP_DEFAULTS.varbindsPerRequest} variables ` +
        `each, ${SNMP_DEFAULTS.concurrency} in flight; snmpbulkwalk is spawned once per column\n`,
    )
    printTable(
      ['method', 'median ms', 'p90 ms', 'vs snmpbulkwalk'],
      methods.map(({ label, ms }) => [
        label,
        formatNumber(median(ms), 1),
        formatNumber(quantile(ms, 0.9), 1),
        ratio(median(ms), baseline),
      ]),
    )
  } finally {
    for (const source of sources) await source.close()
    await snmpd?.stop()
    await run(['ip', 'netns', 'del', ns]).catch(() => {})
    process.off('exit', removeNs)
  }
}

function median(values: number[]): number {
  return quantile(values, 0.5)
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function run(argv: readonly string[], stdin?: string, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd = '', ...args] = argv
    const child = spawn(cmd, args, {
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
    })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text
    })
    child.once('error', reject)
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'))
      else reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr.trim()}`))
    })
    child.stdin?.end(stdin)
  })
}
