import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { stripeConfig } from './stripe-config.js'

const KEY = 'sk_test_0123456789'
const WHSEC = 'whsec_abcdef'

describe('stripe config', () => {
  it('offers no cards when neither secret is set', () => {
    expect(stripeConfig({})).toBeUndefined()
    expect(stripeConfig({ CAPD_STRIPE_SECRET_KEY: '', CAPD_STRIPE_WEBHOOK_SECRET: '' })).toBeUndefined()
  })

  it('refuses one secret without the other, naming what is missing', () => {
    expect(() => stripeConfig({ CAPD_STRIPE_SECRET_KEY: KEY })).toThrow(
      /^CAPD_STRIPE_WEBHOOK_SECRET is not set/,
    )
    expect(() => stripeConfig({ CAPD_STRIPE_WEBHOOK_SECRET: WHSEC })).toThrow(
      /^CAPD_STRIPE_SECRET_KEY is not set/,
    )
  })

  it('refuses a publishable key and a webhook secret of the wrong kind, without echoing them', () => {
    const pk = 'pk_live_visible'
    expect(() => stripeConfig({ CAPD_STRIPE_SECRET_KEY: pk, CAPD_STRIPE_WEBHOOK_SECRET: WHSEC })).toThrow(
      /secret key \(sk_… or rk_…\)/,
    )
    try {
      stripeConfig({ CAPD_STRIPE_SECRET_KEY: KEY, CAPD_STRIPE_WEBHOOK_SECRET: 'sk_wrong_place' })
      expect.unreachable()
    } catch (err) {
      expect((err as Error).message).toMatch(/whsec_/)
      expect((err as Error).message).not.toContain('sk_wrong_place')
    }
  })

  it('parses the API URL into the parts the stripe package takes', () => {
    const base = { CAPD_STRIPE_SECRET_KEY: KEY, CAPD_STRIPE_WEBHOOK_SECRET: WHSEC }
    expect(stripeConfig(base)).toEqual({ secretKey: KEY, webhookSecret: WHSEC })
    expect(stripeConfig({ ...base, CAPD_STRIPE_API_URL: 'http://127.0.0.1:12111' })?.api).toEqual({
      protocol: 'http',
      host: '127.0.0.1',
      port: 12111,
    })
    expect(stripeConfig({ ...base, CAPD_STRIPE_API_URL: 'https://stripe.example' })?.api).toEqual({
      protocol: 'https',
      host: 'stripe.example',
      port: 443,
    })
    for (const bad of ['stripe.example', 'ftp://stripe.example', 'https://stripe.example/v1']) {
      expect(() => stripeConfig({ ...base, CAPD_STRIPE_API_URL: bad }), bad).toThrow(/CAPD_STRIPE_API_URL/)
    }
  })

  it('reads secrets from file:// URLs, and says which one it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capd-stripe-'))
    await writeFile(join(dir, 'key'), `${KEY}\n`)
    await writeFile(join(dir, 'whsec'), `${WHSEC}\n`)
    const fileUrl = (name: string) => pathToFileURL(join(dir, name)).href
    expect(
      stripeConfig({ CAPD_STRIPE_SECRET_KEY: fileUrl('key'), CAPD_STRIPE_WEBHOOK_SECRET: fileUrl('whsec') }),
    ).toEqual({ secretKey: KEY, webhookSecret: WHSEC })
    expect(() =>
      stripeConfig({ CAPD_STRIPE_SECRET_KEY: fileUrl('key'), CAPD_STRIPE_WEBHOOK_SECRET: fileUrl('absent') }),
    ).toThrow(/^CAPD_STRIPE_WEBHOOK_SECRET: cannot read file:.*ENOENT/)
  })
})
