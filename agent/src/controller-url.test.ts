import { describe, expect, it } from 'vitest'
import { plainTextWarning } from './controller-url.js'

describe('talking to the controller in plain text', () => {
  it('warns for ws:// to anything but loopback', () => {
    for (const url of ['ws://10.0.0.1:8080', 'ws://controller.example.net', 'ws://[2001:db8::1]:8080']) {
      expect(plainTextWarning(url)).toMatch(/wss:\/\//)
    }
  })

  it('stays quiet for wss:// and for loopback', () => {
    for (const url of [
      'wss://controller.example.net',
      'ws://127.0.0.1:8080',
      'ws://127.8.9.10',
      'ws://localhost:8080',
      'ws://[::1]:8080',
    ]) {
      expect(plainTextWarning(url)).toBeUndefined()
    }
  })
})
