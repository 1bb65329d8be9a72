/**
 * Daraja's three endpoints (OAuth, STK Push, STK Query) as msw handlers on their real URLs, with
 * the state a test steers: what the query says for each push, and everything capd sent.
 */
import { HttpResponse, http } from 'msw'
import type { MpesaConfig } from './mpesa-config.js'

export const SANDBOX_URL = 'https://sandbox.safaricom.co.ke'

export const TEST_MPESA_CONFIG: MpesaConfig = {
  consumerKey: 'test-consumer-key',
  consumerSecret: 'test-consumer-secret',
  shortcode: '174379',
  partyB: '174379',
  passkey: 'test-passkey-never-logged-0123456789',
  apiUrl: SANDBOX_URL,
  transactionType: 'CustomerPayBillOnline',
  publicUrl: 'https://isp.example',
}

/** What the STK Query answers for one push. */
export type QueryScript =
  | { resultCode: string; resultDesc: string }
  /** Daraja's "still processing" error body (HTTP 500, errorCode 500.001.1001). */
  | 'processing'
  /** A bare 503 from Daraja's gateway. */
  | 'down'

export const PAID: QueryScript = {
  resultCode: '0',
  resultDesc: 'The service request is processed successfully.',
}
export const CANCELLED: QueryScript = { resultCode: '1032', resultDesc: 'Request cancelled by user' }

export function fakeDaraja(config: MpesaConfig = TEST_MPESA_CONFIG) {
  const state = {
    tokensIssued: 0,
    /** Bodies of the pushes capd sent, in order. */
    pushes: [] as Record<string, unknown>[],
    /** CheckoutRequestIDs capd queried, in order. */
    queries: [] as string[],
    /** Per CheckoutRequestID; a push not listed is still processing. */
    answers: new Map<string, QueryScript>(),
    /** What the next push answers instead of success. */
    pushFailure: undefined as { status: number; body: object } | undefined,
  }
  const token = () => `token-${state.tokensIssued}`
  const authorised = (request: Request) => request.headers.get('authorization') === `Bearer ${token()}`
  const basic = `Basic ${Buffer.from(`${config.consumerKey}:${config.consumerSecret}`).toString('base64')}`
  const invalidToken = () =>
    HttpResponse.json({ errorCode: '404.001.03', errorMessage: 'Invalid Access Token' }, { status: 401 })

  const handlers = [
    http.get(`${config.apiUrl}/oauth/v1/generate`, ({ request }) => {
      const url = new URL(request.url)
      if (
        url.searchParams.get('grant_type') !== 'client_credentials' ||
        request.headers.get('authorization') !== basic
      ) {
        return HttpResponse.json(
          { errorCode: '400.008.01', errorMessage: 'Invalid Authentication passed' },
          { status: 400 },
        )
      }
      state.tokensIssued++
      return HttpResponse.json({ access_token: token(), expires_in: '3599' })
    }),
    http.post(`${config.apiUrl}/mpesa/stkpush/v1/processrequest`, async ({ request }) => {
      if (!authorised(request)) return invalidToken()
      const body = (await request.json()) as Record<string, unknown>
      state.pushes.push(body)
      if (state.pushFailure)
        return HttpResponse.json(state.pushFailure.body, { status: state.pushFailure.status })
      const n = state.pushes.length
      return HttpResponse.json({
        MerchantRequestID: `29115-34620561-${n}`,
        CheckoutRequestID: `ws_CO_0112202600000${n}`,
        ResponseCode: '0',
        ResponseDescription: 'Success. Request accepted for processing',
        CustomerMessage: 'Success. Request accepted for processing',
      })
    }),
    http.post(`${config.apiUrl}/mpesa/stkpushquery/v1/query`, async ({ request }) => {
      if (!authorised(request)) return invalidToken()
      const body = (await request.json()) as { CheckoutRequestID: string }
      state.queries.push(body.CheckoutRequestID)
      const known = state.pushes.some((_, i) => `ws_CO_0112202600000${i + 1}` === body.CheckoutRequestID)
      if (!known) {
        return HttpResponse.json(
          { errorCode: '400.002.02', errorMessage: 'Bad Request - Invalid CheckoutRequestID' },
          { status: 400 },
        )
      }
      const script = state.answers.get(body.CheckoutRequestID) ?? 'processing'
      if (script === 'down') return new HttpResponse('Service Unavailable', { status: 503 })
      if (script === 'processing') {
        return HttpResponse.json(
          { errorCode: '500.001.1001', errorMessage: 'The transaction is being processed' },
          { status: 500 },
        )
      }
      return HttpResponse.json({
        ResponseCode: '0',
        ResponseDescription: 'The service request has been accepted successsfully',
        MerchantRequestID: '29115-34620561-1',
        CheckoutRequestID: body.CheckoutRequestID,
        ResultCode: script.resultCode,
        ResultDesc: script.resultDesc,
      })
    }),
  ]
  return { state, handlers }
}

/** The callback Daraja posts when a push was paid (amount in whole shillings, as Daraja sends it). */
export function paidCallback(checkoutRequestId: string, amountKes: number, receipt = 'NLJ7RT61SV') {
  return {
    Body: {
      stkCallback: {
        MerchantRequestID: '29115-34620561-1',
        CheckoutRequestID: checkoutRequestId,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: amountKes },
            { Name: 'MpesaReceiptNumber', Value: receipt },
            { Name: 'TransactionDate', Value: 20261201102115 },
            { Name: 'PhoneNumber', Value: 254708374149 },
          ],
        },
      },
    },
  }
}

export function cancelledCallback(checkoutRequestId: string) {
  return {
    Body: {
      stkCallback: {
        MerchantRequestID: '29115-34620561-1',
        CheckoutRequestID: checkoutRequestId,
        ResultCode: 1032,
        ResultDesc: 'Request cancelled by user',
      },
    },
  }
}
