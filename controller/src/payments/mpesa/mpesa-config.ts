/** M-Pesa (Daraja STK Push) settings from the environment: all of them or none, KES only, never a guessed production URL. */
import { z } from 'zod'

export const TRANSACTION_TYPES = ['CustomerPayBillOnline', 'CustomerBuyGoodsOnline'] as const
export type TransactionType = (typeof TRANSACTION_TYPES)[number]

export interface MpesaConfig {
  consumerKey: string
  consumerSecret: string
  /** The paybill, or for buy goods the store number (BusinessShortCode; the password is made with it). */
  shortcode: string
  /** Who receives the money (PartyB): the shortcode, or for buy goods the till number when it differs. */
  partyB: string
  passkey: string
  /** Daraja's base URL, sandbox or production, without a trailing slash. */
  apiUrl: string
  transactionType: TransactionType
  /** The controller's public base URL: Daraja calls back under it. */
  publicUrl: string
}

/** The variables that must all be set together to offer M-Pesa. */
const REQUIRED = [
  'CAPD_MPESA_CONSUMER_KEY',
  'CAPD_MPESA_CONSUMER_SECRET',
  'CAPD_MPESA_SHORTCODE',
  'CAPD_MPESA_PASSKEY',
  'CAPD_MPESA_API_URL',
] as const

const httpUrl = (name: string) =>
  z
    .string()
    .url({ error: `${name} must be a URL such as https://sandbox.safaricom.co.ke` })
    .refine((u) => /^https?:\/\//.test(u), { error: `${name} must be an http(s) URL` })
    .transform((u) => u.replace(/\/+$/, ''))

/**
 * undefined when no CAPD_MPESA_* variable is set; the settings when all are; otherwise an Error
 * naming what is missing or wrong (the controller refuses to start rather than half-offer M-Pesa).
 * Messages never include the values: some are secrets.
 */
export function mpesaConfigFromEnv(
  env: NodeJS.ProcessEnv,
  controller: { currency: string; publicUrl?: string | undefined },
): MpesaConfig | undefined {
  const given = REQUIRED.filter((name) => env[name]?.trim())
  if (given.length === 0 && !env.CAPD_MPESA_TRANSACTION_TYPE?.trim()) return undefined
  const missing = REQUIRED.filter((name) => !env[name]?.trim())
  if (missing.length > 0) {
    throw new Error(`M-Pesa is half configured: set ${missing.join(', ')} as well, or none of CAPD_MPESA_*`)
  }
  if (controller.currency !== 'KES') {
    throw new Error(
      `M-Pesa takes Kenyan shillings only, but this controller's currency is ${controller.currency}: start it with --currency KES or unset CAPD_MPESA_*`,
    )
  }
  if (!controller.publicUrl) {
    throw new Error(
      'M-Pesa needs the public URL Safaricom can call back at: start the controller with --public-url https://…',
    )
  }
  const shortcode = env.CAPD_MPESA_SHORTCODE!.trim()
  if (!/^\d{5,7}$/.test(shortcode)) {
    throw new Error('CAPD_MPESA_SHORTCODE must be the paybill or till number (5 to 7 digits)')
  }
  const type = env.CAPD_MPESA_TRANSACTION_TYPE?.trim() || 'CustomerPayBillOnline'
  if (!(TRANSACTION_TYPES as readonly string[]).includes(type)) {
    throw new Error(`CAPD_MPESA_TRANSACTION_TYPE must be ${TRANSACTION_TYPES.join(' or ')}`)
  }
  const till = env.CAPD_MPESA_TILL_NUMBER?.trim()
  if (till && (type !== 'CustomerBuyGoodsOnline' || !/^\d{5,7}$/.test(till))) {
    throw new Error(
      'CAPD_MPESA_TILL_NUMBER is the till number (5 to 7 digits) for CAPD_MPESA_TRANSACTION_TYPE=CustomerBuyGoodsOnline',
    )
  }
  const apiUrl = httpUrl('CAPD_MPESA_API_URL').safeParse(env.CAPD_MPESA_API_URL!.trim())
  if (!apiUrl.success) throw new Error(apiUrl.error.issues[0]!.message)
  const publicUrl = httpUrl('--public-url').safeParse(controller.publicUrl)
  if (!publicUrl.success) throw new Error(publicUrl.error.issues[0]!.message)
  return {
    consumerKey: env.CAPD_MPESA_CONSUMER_KEY!.trim(),
    consumerSecret: env.CAPD_MPESA_CONSUMER_SECRET!.trim(),
    shortcode,
    partyB: till || shortcode,
    passkey: env.CAPD_MPESA_PASSKEY!.trim(),
    apiUrl: apiUrl.data,
    transactionType: type as TransactionType,
    publicUrl: publicUrl.data,
  }
}
