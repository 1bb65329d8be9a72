import { describe, expect, it } from 'vitest'
import { commandWords, parseReply } from './sentence.js'

describe('commandWords', () => {
  it('puts the command first, then attributes, proplist, queries and the tag', () => {
    expect(
      commandWords(
        '/queue/simple/print',
        { '.id': '*1', comment: 'a=b' },
        { proplist: ['.id', 'name', 'bytes'], query: ['?name=capd-1', '?#|'] },
        '5',
      ),
    ).toEqual([
      '/queue/simple/print',
      '=.id=*1',
      '=comment=a=b',
      '=.proplist=.id,name,bytes',
      '?name=capd-1',
      '?#|',
      '.tag=5',
    ])
  })

  it('refuses words RouterOS would read differently', () => {
    expect(() => commandWords('queue/simple/print')).toThrow(TypeError)
    expect(() => commandWords('/queue/simple print')).toThrow(TypeError)
    expect(() => commandWords('/')).toThrow(TypeError)
    expect(() => commandWords('/a', { 'x=y': '1' })).toThrow(TypeError)
    expect(() => commandWords('/a', { '': '1' })).toThrow(TypeError)
    expect(() => commandWords('/a', {}, { query: ['name=x'] })).toThrow(TypeError)
    expect(() => commandWords('/a', {}, { proplist: ['a,b'] })).toThrow(TypeError)
  })
})

describe('parseReply', () => {
  it('finds .tag wherever it is', () => {
    for (const words of [
      ['!re', '.tag=9', '=name=q', '=bytes=1/2'],
      ['!re', '=name=q', '.tag=9', '=bytes=1/2'],
      ['!re', '=name=q', '=bytes=1/2', '.tag=9'],
    ]) {
      expect(parseReply(words)).toEqual({
        kind: '!re',
        tag: '9',
        attributes: { name: 'q', bytes: '1/2' },
        other: [],
      })
    }
  })

  it("splits name from value at the second '=' only", () => {
    expect(parseReply(['!re', '=comment=a=b=', '=.id=*A', '=empty=', '=bare']).attributes).toEqual({
      comment: 'a=b=',
      '.id': '*A',
      empty: '',
      bare: '',
    })
  })

  it('keeps the reason word of !fatal', () => {
    expect(parseReply(['!fatal', 'session terminated on request'])).toEqual({
      kind: '!fatal',
      attributes: {},
      other: ['session terminated on request'],
    })
  })

  it('cannot be made to set a prototype', () => {
    const row = parseReply(['!re', '=__proto__=x', '=constructor=y']).attributes
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.keys(row)).toEqual(['__proto__', 'constructor'])
    expect(row.constructor).toBe('y')
  })
})
