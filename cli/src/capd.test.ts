import { AGENT_VERSION } from '@capd/agent/version'
import { DATA_FORMAT, DATA_VERSION } from '@capd/controller/store-format'
import { CAPD_VERSION } from '@capd/controller/version'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { capd, USAGE } from './capd.js'
import { COMMANDS } from './commands.js'

let out: string[]
let err: string[]

beforeEach(() => {
  out = []
  err = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')))
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')))
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** A name that is no command: random letters, or one of Object's own property names. */
function unknownName(): string {
  const tricky = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'VERSION', 'Agent', '']
  if (Math.random() < 0.4) return tricky[Math.floor(Math.random() * tricky.length)]!
  let name = ''
  const letters = 'abcdefghijklmnopqrstuvwxyz-_'
  for (let i = 1 + Math.floor(Math.random() * 12); i > 0; i--) name += letters[Math.floor(Math.random() * 28)]
  return Object.hasOwn(COMMANDS, name) ? `${name}x` : name
}

describe('capd', () => {
  it('lists every command with its summary in the usage', () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      expect(USAGE).toMatch(new RegExp(`^  ${name} +${command.summary.replace(/[()]/g, '\\$&')}$`, 'm'))
    }
  })

  it('prints the usage on stdout for help and exits 0; with no command at all it exits 2', async () => {
    for (const help of ['help', '--help', '-h']) {
      out = []
      expect(await capd([help])).toBe(0)
      expect(out.join('\n')).toBe(USAGE)
    }
    out = []
    expect(await capd([])).toBe(2)
    expect(out.join('\n')).toBe(USAGE)
  })

  it('refuses an unknown command with exit code 2, naming it, and runs nothing', async () => {
    for (let i = 0; i < 50; i++) {
      const name = unknownName()
      err = []
      out = []
      expect(await capd([name, '--help'])).toBe(2)
      expect(err.join('\n')).toContain(`capd: no command "${name}"`)
      expect(err.join('\n')).toContain(USAGE)
      expect(out).toEqual([])
    }
  })

  it('version prints the release, the agent, the store format and Node; --version is the same', async () => {
    expect(await capd(['version'])).toBe(0)
    const printed = out.join('\n')
    expect(printed).toBe(
      [
        `capd ${CAPD_VERSION}`,
        `agent ${AGENT_VERSION}`,
        `store format ${DATA_FORMAT} version ${DATA_VERSION}`,
        `node ${process.versions.node}`,
      ].join('\n'),
    )
    out = []
    expect(await capd(['--version'])).toBe(0)
    expect(out.join('\n')).toBe(printed)
  })

  it('version takes no arguments: exit code 2 and nothing on stdout', async () => {
    expect(await capd(['version', '--json'])).toBe(2)
    expect(out).toEqual([])
    expect(err.join('\n')).toContain('takes no arguments (got --json)')
  })

  it("passes the command's exit code through, and undefined when the command keeps running", async () => {
    const codes = [0, 1, 2, 3, 70, undefined, 'not a code']
    for (const code of codes) {
      const run = vi.fn(async (_argv: string[]) => code)
      const name = `test-${Math.random().toString(36).slice(2)}`
      ;(COMMANDS as Record<string, unknown>)[name] = { summary: 'a test command', load: async () => run }
      try {
        const result = await capd([name, 'a', '--b', 'c'])
        expect(run).toHaveBeenCalledWith(['a', '--b', 'c'])
        expect(result).toBe(typeof code === 'number' ? code : undefined)
      } finally {
        delete (COMMANDS as Record<string, unknown>)[name]
      }
    }
  })
})
