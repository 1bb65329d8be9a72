import { describe, expect, it } from 'vitest'
import { adoptedComment, checkSubscriberId, parseOwner } from './names.js'

describe('parseOwner', () => {
  it('knows capd comments and nothing else', () => {
    expect(parseOwner('capd:sub_1-a')).toEqual({ subscriberId: 'sub_1-a' })
    for (const comment of [
      undefined,
      '',
      'capd',
      'capd:',
      'capd: x',
      'Capd:x',
      'x capd:y',
      'capd:a b',
      'capd:a:b',
    ]) {
      expect(parseOwner(comment)).toBeUndefined()
    }
  })

  it('round-trips what an adopted queue was, whatever its name and comment hold', () => {
    const from = { name: 'cust "7"; ✓', maxLimit: '10000000/50000000', comment: 'Ana\nroom 4 adopted {x}' }
    expect(parseOwner(adoptedComment('s7', from))).toEqual({ subscriberId: 's7', adopted: from })
    const bare = { name: 'q', maxLimit: '0/0' }
    expect(parseOwner(adoptedComment('s7', bare))).toEqual({ subscriberId: 's7', adopted: bare })
  })

  it('an adopted comment edited beyond reading is still ours, origin unknown', () => {
    expect(parseOwner('capd:s7 adopted {broken')).toEqual({ subscriberId: 's7', adopted: 'unknown' })
    expect(parseOwner('capd:s7 adopted {"name":1}')).toEqual({ subscriberId: 's7', adopted: 'unknown' })
  })
})

describe('checkSubscriberId', () => {
  it('refuses ids that would not survive a comment round trip', () => {
    expect(() => checkSubscriberId('sub_01')).not.toThrow()
    for (const id of ['', 'a b', 'a:b', 'x'.repeat(65)])
      expect(() => checkSubscriberId(id)).toThrow(RangeError)
  })
})
