import { describe, expect, it } from 'vitest'
import { parseListenAddress } from './listen-address.js'

describe('a listen address', () => {
  it.each([
    ['127.0.0.1:9469', { host: '127.0.0.1', port: 9469 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:9469', { host: '::1', port: 9469 }],
    ['[2001:db8::7]:65535', { host: '2001:db8::7', port: 65535 }],
    ['localhost:9100', { host: 'localhost', port: 9100 }],
    ['metrics.isp.example:9469', { host: 'metrics.isp.example', port: 9469 }],
  ])('reads %s', (text, address) => {
    expect(parseListenAddress(text)).toEqual(address)
  })

  it.each([
    '9469',
    '127.0.0.1',
    '127.0.0.1:',
    ':9469',
    '::1:9469',
    '[127.0.0.1]:9469',
    '[::1]9469',
    '127.0.0.1:65536',
    '127.0.0.1:-1',
    '127.0.0.1:94x9',
    'http://127.0.0.1:9469',
    'bad host:9469',
    '-bad.example:9469',
    '',
  ])('refuses %j with a clear error', (text) => {
    expect(() => parseListenAddress(text)).toThrow(RangeError)
  })
})
