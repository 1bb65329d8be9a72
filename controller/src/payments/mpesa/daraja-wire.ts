/** What Daraja answers and sends, as zod schemas parsed at the boundary. */
import { z } from 'zod'

/** A Daraja call that did not do what was asked; the message is safe to show (no credentials). */
export class DarajaError extends Error {
  override name = 'DarajaError'
}

/** Daraja sends some codes as strings and some as numbers; capd compares strings. */
const code = z.union([z.string(), z.number()]).transform(String)

export const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
})

export const PushAnswer = z.object({
  MerchantRequestID: z.string().optional(),
  CheckoutRequestID: z.string().min(1),
  ResponseCode: code,
  ResponseDescription: z.string().optional(),
  CustomerMessage: z.string().optional(),
})

export const QueryAnswer = z.object({
  ResponseCode: code,
  CheckoutRequestID: z.string().min(1),
  ResultCode: code,
  ResultDesc: z.string().default(''),
})

const MetadataItem = z.object({ Name: z.string(), Value: z.union([z.string(), z.number()]).optional() })

/** The body Daraja posts to the CallBackURL when a push ends. */
export const StkCallback = z.object({
  Body: z.object({
    stkCallback: z.object({
      MerchantRequestID: z.string().optional(),
      CheckoutRequestID: z.string().min(1).max(100),
      ResultCode: code,
      ResultDesc: z.string().default(''),
      CallbackMetadata: z.object({ Item: z.array(MetadataItem) }).optional(),
    }),
  }),
})
export type StkCallback = z.infer<typeof StkCallback>

/** The paid amount (in cents) and receipt a successful callback names, when it names them. */
export function callbackPayment(callback: StkCallback): { amountCents?: number; receipt?: string } {
  const items = callback.Body.stkCallback.CallbackMetadata?.Item ?? []
  const value = (name: string) => items.find((i) => i.Name === name)?.Value
  const amount = Number(value('Amount'))
  const receipt = value('MpesaReceiptNumber')
  return {
    ...(Number.isFinite(amount) && value('Amount') !== undefined
      ? { amountCents: Math.round(amount * 100) }
      : {}),
    ...(typeof receipt === 'string' && receipt ? { receipt } : {}),
  }
}
