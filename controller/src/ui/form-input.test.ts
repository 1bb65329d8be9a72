import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CreatePlan } from '../api/schemas.js'
import { refusal } from '../testing/refusal.js'
import { checkedAs, checkedAsSentences } from './form-input.js'

describe('form checks', () => {
  it('checks with an API schema and names problems by the form labels', () => {
    const labels = { name: 'Name', throttleKbps: 'Throttle rate (kbit/s)' }
    const err = refusal(() => checkedAs(CreatePlan, { name: '', capBytes: 1, onCap: 'throttle' }, labels))
    expect(err.message).toBe(
      'Name: must not be empty; Throttle rate (kbit/s): is required when onCap is "throttle"',
    )
  })

  it('checks with a customer schema and keeps its sentences as they are', () => {
    const Form = z.strictObject({ topUpPlanId: z.string({ error: 'Choose a top-up.' }) })
    expect(checkedAsSentences(Form, { topUpPlanId: 't1' })).toEqual({ topUpPlanId: 't1' })
    const err = refusal(() => checkedAsSentences(Form, {}))
    expect(err.status).toBe(400)
    expect(err.message).toBe('Choose a top-up.')
  })
})
