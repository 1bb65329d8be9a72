import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Refusal } from '../../domain/refusal.js'
import { SANDBOX_URL, TEST_MPESA_CONFIG } from './fake-daraja-test-kit.js'
import { mpesaFixture } from './mpesa-test-kit.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

async function refusalOf(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise
  } catch (err) {
    if (err instanceof Refusal) return err
    throw err
  }
  throw new Error('expected a refusal')
}

describe('M-Pesa start: the STK Push', () => {
  it('asks for the order amount in whole shillings from the normalised phone, signed with the passkey', async () => {
    const f = await mpesaFixture(server)
    const { order, secret, checkoutRequestId } = await f.buy(f.sub.id, '+254 712-345-678')
    // 2026-12-01T07:15:09Z is 10:15:09 in Nairobi (UTC+3).
    const timestamp = '20261201101509'
    expect(f.daraja.state.pushes).toEqual([
      {
        BusinessShortCode: '174379',
        Password: Buffer.from(`174379${TEST_MPESA_CONFIG.passkey}${timestamp}`).toString('base64'),
        Timestamp: timestamp,
        TransactionType: 'CustomerPayBillOnline',
        Amount: 100,
        PartyA: '254712345678',
        PartyB: '174379',
        PhoneNumber: '254712345678',
        CallBackURL: `https://isp.example/webhooks/mpesa/${order.id}/${secret}`,
        AccountReference: 'alice',
        TransactionDesc: 'Data top-up',
      },
    ])
    expect(order.providerRef).toBe(checkoutRequestId)
    expect(order.status).toBe('awaiting_payment')
    expect(f.rows()).toEqual({ topUps: [], invoices: [], payments: [] })
  })

  it('buy goods: the till number receives, the store number signs', async () => {
    const f = await mpesaFixture(server, {
      config: { transactionType: 'CustomerBuyGoodsOnline', shortcode: '300584', partyB: '5678901' },
    })
    await f.buy()
    expect(f.daraja.state.pushes[0]).toMatchObject({
      BusinessShortCode: '300584',
      Password: Buffer.from(`300584${TEST_MPESA_CONFIG.passkey}20261201101509`).toString('base64'),
      TransactionType: 'CustomerBuyGoodsOnline',
      PartyB: '5678901',
    })
  })

  it('reuses one access token until it is about to expire, even for pushes at once', async () => {
    const f = await mpesaFixture(server)
    await Promise.all([f.buy(), f.buy(), f.buy()])
    expect(f.daraja.state.tokensIssued).toBe(1)
    f.clock.advance(3599_000 - 61_000)
    await f.buy()
    expect(f.daraja.state.tokensIssued).toBe(1)
    f.clock.advance(2_000)
    await f.buy()
    expect(f.daraja.state.tokensIssued).toBe(2)
  })

  it('takes a fresh token when Daraja refuses the cached one', async () => {
    const f = await mpesaFixture(server)
    await f.buy()
    f.daraja.state.tokensIssued += 1 // Daraja forgot the token it gave
    await f.buy()
    expect(f.daraja.state.pushes).toHaveLength(2)
    expect(f.daraja.state.tokensIssued).toBe(3)
  })

  it('refuses a price with cents in plain words, and sends nothing', async () => {
    const f = await mpesaFixture(server, { priceCents: 10050 })
    const refusal = await refusalOf(f.buy())
    expect(refusal.code).toBe('invalid_request')
    expect(refusal.message).toMatch(/whole shillings only.*KES\s100\.50/)
    expect(f.daraja.state.pushes).toHaveLength(0)
  })

  it.each(['', '0812345678', '+255712345678', '12345'])(
    'refuses the phone %j on its field, and sends nothing',
    async (phone) => {
      const f = await mpesaFixture(server)
      const refusal = await refusalOf(f.buy(f.sub.id, phone))
      expect(refusal.details?.[0]?.path).toBe('phone')
      expect(f.daraja.state.pushes).toHaveLength(0)
      expect(f.daraja.state.tokensIssued).toBe(0)
    },
  )

  it.each([
    [
      {
        status: 200,
        body: {
          CheckoutRequestID: 'ws_CO_x',
          ResponseCode: '1',
          ResponseDescription: 'Rejected',
          CustomerMessage: 'The number is not registered for M-Pesa',
        },
      },
      /not registered for M-Pesa/,
    ],
    [
      {
        status: 400,
        body: { requestId: '1', errorCode: '400.002.02', errorMessage: 'Bad Request - Invalid PhoneNumber' },
      },
      /Invalid PhoneNumber/,
    ],
    [
      {
        status: 500,
        body: {
          requestId: '1',
          errorCode: '500.003.02',
          errorMessage: 'System is busy. Please try again in few minutes.',
        },
      },
      /System is busy/,
    ],
  ])('a push Daraja refuses is a payment_failed that says why (%#)', async (failure, why) => {
    const f = await mpesaFixture(server)
    f.daraja.state.pushFailure = failure
    const refusal = await refusalOf(f.buy())
    expect(refusal.code).toBe('payment_failed')
    expect(refusal.message).toMatch(/^M-Pesa could not send the request to your phone: /)
    expect(refusal.message).toMatch(why)
  })

  it('a consumer key Daraja does not accept, or Daraja unreachable, says so without a secret in the message', async () => {
    const f = await mpesaFixture(server)
    server.use(
      http.get(`${SANDBOX_URL}/oauth/v1/generate`, () =>
        HttpResponse.json(
          { errorCode: '400.008.01', errorMessage: 'Invalid Authentication passed' },
          { status: 400 },
        ),
      ),
    )
    const refusal = await refusalOf(f.buy())
    expect(refusal.code).toBe('payment_failed')
    expect(refusal.message).toMatch(/consumer key or secret was not accepted/)
    server.use(http.get(`${SANDBOX_URL}/oauth/v1/generate`, () => HttpResponse.error()))
    const down = await refusalOf(f.buy())
    expect(down.message).toMatch(/M-Pesa did not answer/)
    for (const message of [refusal.message, down.message, f.log.join('\n')]) {
      expect(message).not.toContain(TEST_MPESA_CONFIG.passkey)
      expect(message).not.toContain(TEST_MPESA_CONFIG.consumerSecret)
    }
  })
})
