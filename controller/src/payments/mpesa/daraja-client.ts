/**
 * Daraja's HTTP API, the three calls capd makes: an OAuth token (cached until it expires), an STK
 * Push, and an STK Query. Answers are parsed at the boundary; errors never carry the credentials.
 */
import type { Clock } from '../../clock.js'
import { darajaPassword, darajaTimestamp } from './daraja-password.js'
import { DarajaError, PushAnswer, QueryAnswer, TokenAnswer } from './daraja-wire.js'
import type { MpesaConfig } from './mpesa-config.js'

export interface StkPushInput {
  /** Whole shillings. */
  amountKes: number
  /** 2547XXXXXXXX / 2541XXXXXXXX. */
  phone: string
  callbackUrl: string
  /** At most 12 characters, shown to the customer on the prompt. */
  accountReference: string
  /** At most 13 characters. */
  description: string
}

/** What the STK Query says about one push. */
export type QueryResult =
  | { kind: 'answered'; resultCode: string; resultDesc: string }
  /** No verdict (still processing, Daraja down, a network fault): ask again later. */
  | { kind: 'unknown'; reason: string }

interface DarajaReply {
  ok: boolean
  status: number
  body: unknown
}

/** Renew the token this long before Daraja says it expires, so a request never carries a dead one. */
const TOKEN_MARGIN_MS = 60_000
const TIMEOUT_MS = 20_000

export class DarajaClient {
  #token: { value: string; expiresAtMs: number } | undefined
  #pending: Promise<string> | undefined

  constructor(
    private readonly config: MpesaConfig,
    private readonly clock: Clock,
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /** Sends the payment prompt to the phone; answers the CheckoutRequestID, or throws DarajaError. */
  async stkPush(input: StkPushInput): Promise<string> {
    const timestamp = darajaTimestamp(this.clock.now())
    const { shortcode, passkey } = this.config
    const res = await this.#post('/mpesa/stkpush/v1/processrequest', {
      BusinessShortCode: shortcode,
      Password: darajaPassword(shortcode, passkey, timestamp),
      Timestamp: timestamp,
      TransactionType: this.config.transactionType,
      Amount: input.amountKes,
      PartyA: input.phone,
      PartyB: this.config.partyB,
      PhoneNumber: input.phone,
      CallBackURL: input.callbackUrl,
      AccountReference: input.accountReference,
      TransactionDesc: input.description,
    })
    const answer = PushAnswer.safeParse(res.body)
    if (!res.ok || !answer.success) throw new DarajaError(describeFailure(res))
    if (answer.data.ResponseCode !== '0') {
      throw new DarajaError(answer.data.CustomerMessage ?? answer.data.ResponseDescription ?? 'refused')
    }
    return answer.data.CheckoutRequestID
  }

  /** Asks Daraja how a push ended; only its answer, never a callback alone, decides an order. */
  async stkQuery(checkoutRequestId: string): Promise<QueryResult> {
    const timestamp = darajaTimestamp(this.clock.now())
    const { shortcode, passkey } = this.config
    let res: DarajaReply
    try {
      res = await this.#post('/mpesa/stkpushquery/v1/query', {
        BusinessShortCode: shortcode,
        Password: darajaPassword(shortcode, passkey, timestamp),
        Timestamp: timestamp,
        CheckoutRequestID: checkoutRequestId,
      })
    } catch (err) {
      return { kind: 'unknown', reason: err instanceof Error ? err.message : 'no answer' }
    }
    const answer = QueryAnswer.safeParse(res.body)
    if (!res.ok || !answer.success || answer.data.CheckoutRequestID !== checkoutRequestId) {
      return { kind: 'unknown', reason: describeFailure(res) }
    }
    return { kind: 'answered', resultCode: answer.data.ResultCode, resultDesc: answer.data.ResultDesc }
  }

  async #post(path: string, body: object): Promise<DarajaReply> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#accessToken()
      const res = await this.fetchFn(`${this.config.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
      // A token Daraja revoked early: forget it and try once more with a fresh one.
      if (res.status === 401 && attempt === 0) {
        this.#token = undefined
        continue
      }
      return { ok: res.ok, status: res.status, body: await res.json().catch(() => undefined) }
    }
  }

  /** One token request at a time: concurrent pushes share it. */
  #accessToken(): Promise<string> {
    const now = this.clock.now()
    if (this.#token && now < this.#token.expiresAtMs) return Promise.resolve(this.#token.value)
    this.#pending ??= this.#fetchToken().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  async #fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.config.consumerKey}:${this.config.consumerSecret}`).toString('base64')
    const res = await this.fetchFn(`${this.config.apiUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { authorization: `Basic ${basic}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    const answer = TokenAnswer.safeParse(await res.json().catch(() => undefined))
    if (!res.ok || !answer.success) {
      throw new DarajaError(
        res.status === 400 || res.status === 401
          ? 'the M-Pesa consumer key or secret was not accepted'
          : `no access token (HTTP ${res.status})`,
      )
    }
    const lifetimeMs = Number(answer.data.expires_in) * 1000
    this.#token = {
      value: answer.data.access_token,
      expiresAtMs: this.clock.now() + Math.max(0, lifetimeMs - TOKEN_MARGIN_MS),
    }
    return answer.data.access_token
  }
}

function describeFailure(res: { status: number; body: unknown }): string {
  const body = res.body as { errorMessage?: unknown; ResponseDescription?: unknown } | undefined
  const said = body?.errorMessage ?? body?.ResponseDescription
  return typeof said === 'string' && said ? said : `HTTP ${res.status}`
}
