import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { radiusAdmission, readRadiusAdmission } from './admission-config.js'

const TOKEN = 'radius-admission-token-0123456789'

describe('the --radius-admission settings', () => {
  it('defaults: plan rate when open, throttle rate when throttled, the capd-blocked pool when blocked', () => {
    expect(radiusAdmission({ token: TOKEN })).toEqual({
      token: TOKEN,
      open: { 'reply:Mikrotik-Rate-Limit': '{upKbps}k/{downKbps}k' },
      throttled: { 'reply:Mikrotik-Rate-Limit': '{upKbps}k/{downKbps}k' },
      blocked: { 'reply:Framed-Pool': 'capd-blocked' },
    })
  })

  it('takes "reject", several attributes, control: and bare names', () => {
    const settings = radiusAdmission({
      token: TOKEN,
      blocked: {
        'reply:Mikrotik-Address-List': 'capd-blocked',
        'control:Pool-Name': 'walled',
        Class: '{login}',
      },
      suspended: 'reject',
      open: {},
    })
    expect(settings.suspended).toBe('reject')
    expect(Object.keys(settings.blocked)).toHaveLength(3)
  })

  it.each([
    [{}, /token: is required|token:/],
    [{ token: 'short' }, /token: must be at least 16/],
    [{ token: `${TOKEN} x` }, /token: must be at least 16 printable characters without spaces/],
    [{ token: TOKEN, blocked: 'drop' }, /blocked/],
    [
      { token: TOKEN, blocked: { 'reply:Framed Pool': 'x' } },
      /blocked\.reply:Framed Pool: must be an attribute name/,
    ],
    [{ token: TOKEN, open: { 'reply:Mikrotik-Rate-Limit': '{up}k' } }, /unknown placeholder \{up\}/],
    [{ token: TOKEN, open: { 'reply:Class': '' } }, /must not be empty/],
    [{ token: TOKEN, open: { 'reply:Class': 'x'.repeat(254) } }, /at most 253/],
    [{ token: TOKEN, opne: {} }, /opne|Unrecognized key/i],
    [{ token: TOKEN, throttled: ['reject'] }, /throttled/],
  ])('refuses %j with a clear message', (input, message) => {
    expect(() => radiusAdmission(input)).toThrow(message)
  })

  it('reads the token from a file:// URL, and names the file it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-radius-config-'))
    try {
      await writeFile(join(dir, 'token'), `${TOKEN}\n`)
      const path = join(dir, 'admission.json')
      await writeFile(path, JSON.stringify({ token: `file://${join(dir, 'token')}` }))
      expect(readRadiusAdmission(path).token).toBe(TOKEN)
      await writeFile(path, JSON.stringify({ token: `file://${join(dir, 'missing')}` }))
      expect(() => readRadiusAdmission(path)).toThrow(
        /--radius-admission .*cannot read file:\/\/.*missing: ENOENT/,
      )
      await writeFile(path, '{"token":')
      expect(() => readRadiusAdmission(path)).toThrow(/--radius-admission .*admission\.json: .*JSON/)
      expect(() => readRadiusAdmission(join(dir, 'nope.json'))).toThrow(/cannot read .*nope\.json: ENOENT/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
