import { AgentMessage, MAX_PROBLEMS, type RuleProblem } from '@capd/protocol'
import { describe, expect, it } from 'vitest'
import { ProblemReport } from './problem-report.js'

const problem = (subscriberId: string, message = `${subscriberId} overlaps`): RuleProblem => ({
  subscriberId,
  code: 'address_overlap',
  message,
})

describe('ProblemReport', () => {
  it('says when the list changed and which problems are new', () => {
    const report = new ProblemReport()
    expect(report.empty).toBe(true)
    expect(report.update([])).toEqual({ changed: false, added: [] })
    expect(report.update([problem('a')])).toEqual({ changed: true, added: [problem('a')] })
    expect(report.update([problem('a')])).toEqual({ changed: false, added: [] })
    expect(report.update([problem('a'), problem('b')])).toEqual({ changed: true, added: [problem('b')] })
    expect(report.skippedIds()).toEqual(new Set(['a', 'b']))
    expect(report.update([])).toEqual({ changed: true, added: [] })
    expect(report.empty).toBe(true)
  })

  it('builds a message the controller accepts: bad ids left out, a long list cut and counted', () => {
    const report = new ProblemReport()
    const many = Array.from({ length: MAX_PROBLEMS + 5 }, (_, i) => problem(`sub_${i}`))
    report.update([problem('not an id!'), ...many])
    const message = report.message(1)
    expect(AgentMessage.safeParse(message).success).toBe(true)
    expect(message.problems).toHaveLength(MAX_PROBLEMS)
    expect(message.omitted).toBe(5)
    // Still skipped at the router, only not told (the controller could not read it).
    expect(report.skippedIds().has('not an id!')).toBe(true)
  })
})
