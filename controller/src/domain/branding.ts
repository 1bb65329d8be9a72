/**
 * The ISP's branding (kept in the store's settings): the name customers see, the support contact,
 * the postal address and tax id invoices carry, and the logo. Unset, customers see plain words.
 */

import { createHash } from 'node:crypto'
import { z } from 'zod'
import { isSafeText } from '../api/safe-text.js'
import type { Tx } from '../store/store.js'
import { audit } from './audit.js'
import type { Actor, DomainEnv } from './env.js'
import { checkLogo, type LogoType } from './logo-image.js'
import { putSetting } from './put-setting.js'
import { Refusal } from './refusal.js'

/** What customers read where the ISP has not named itself yet. */
export const DEFAULT_ISP_NAME = 'Your internet provider'

export interface BrandingText {
  readonly name: string
  readonly supportEmail?: string
  readonly supportPhone?: string
  /** Lines of the postal address, top to bottom. */
  readonly postalAddress?: readonly string[]
  /** VAT number, KRA PIN, …: printed on invoices as given. */
  readonly taxId?: string
}

export interface Logo {
  readonly contentType: LogoType
  readonly widthPx: number
  readonly heightPx: number
  /** Hex SHA-256 of the bytes: the logo's URL carries it, so a new logo is a new URL (cached forever). */
  readonly sha256: string
  readonly bytes: Uint8Array
}

export interface Branding extends BrandingText {
  /** False until an admin has saved the branding (the name is then DEFAULT_ISP_NAME). */
  readonly named: boolean
  readonly logo?: Logo
}

const KEYS = { text: 'branding.text', logo: 'branding.logo' } as const

const NAME_MAX = 100
const LINE_MAX = 100
const ADDRESS_LINES_MAX = 6

const text = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} may be at most ${max} characters`)
    .refine(isSafeText, `${what} may not contain control or invisible direction characters`)

const blank = (v: unknown) => typeof v === 'string' && v.trim() === ''

/** A field that may be left blank (= not given). */
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (blank(v) ? undefined : v), schema.optional())

/** The branding's text as an admin sends it (the API's JSON, the settings form); blank = not given. */
export const BrandingInput = z.object({
  name: text(NAME_MAX, 'The name').min(1, 'Enter the name customers know you by'),
  supportEmail: optional(
    z
      .string()
      .trim()
      .max(254, 'The e-mail address is too long')
      .email('Enter an e-mail address like help@example.net'),
  ),
  supportPhone: optional(
    z
      .string()
      .trim()
      .regex(
        /^\+?[0-9][0-9 ()./-]{2,30}$/,
        'Enter a phone number of digits, with a leading + if international',
      ),
  ),
  // The form sends lines in one text box; the API may send them so or as an array.
  postalAddress: z.preprocess(
    (v) => (Array.isArray(v) ? v.join('\n') : blank(v) ? undefined : v),
    z
      .string()
      .max(ADDRESS_LINES_MAX * (LINE_MAX + 2), 'The postal address is too long')
      .transform((v) =>
        v
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== ''),
      )
      .pipe(
        z
          .array(text(LINE_MAX, 'Each line of the postal address'))
          .max(ADDRESS_LINES_MAX, `The postal address may have at most ${ADDRESS_LINES_MAX} lines`),
      )
      .optional(),
  ),
  taxId: optional(
    text(40, 'The tax id').regex(
      /^[\p{L}\p{N} ./-]+$/u,
      'The tax id may have letters, digits, spaces, dots, dashes and slashes',
    ),
  ),
})
export type BrandingInput = z.input<typeof BrandingInput>

const StoredText = z.object({
  name: z.string(),
  supportEmail: z.string().optional(),
  supportPhone: z.string().optional(),
  postalAddress: z.array(z.string()).optional(),
  taxId: z.string().optional(),
})

const StoredLogo = z.object({
  contentType: z.enum(['image/png', 'image/jpeg']),
  widthPx: z.number(),
  heightPx: z.number(),
  sha256: z.string(),
  base64: z.string(),
})

/** The ISP's branding, with the defaults where it has none. For pages, e-mails and documents. */
export async function branding(tx: Tx): Promise<Branding> {
  const stored = parsed(StoredText, (await tx.settings.get(KEYS.text))?.value)
  const logo = parsed(StoredLogo, (await tx.settings.get(KEYS.logo))?.value)
  return {
    ...(stored ? withoutEmpty(stored) : { name: DEFAULT_ISP_NAME }),
    named: stored !== undefined,
    ...(logo
      ? {
          logo: {
            contentType: logo.contentType,
            widthPx: logo.widthPx,
            heightPx: logo.heightPx,
            sha256: logo.sha256,
            bytes: new Uint8Array(Buffer.from(logo.base64, 'base64')),
          },
        }
      : {}),
  }
}

/** Saves the branding's text (all of it: a field left out is cleared). Bad input changes nothing. */
export async function setBranding(tx: Tx, env: DomainEnv, actor: Actor, input: unknown): Promise<Branding> {
  const result = BrandingInput.safeParse(input)
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ path: i.path.join('.') || 'form', message: i.message }))
    throw new Refusal('invalid_request', details.map((d) => d.message).join('. '), details)
  }
  const next = withoutEmpty(result.data)
  await putSetting(tx, env, KEYS.text, JSON.stringify(next))
  await audit(tx, env, actor, 'branding.update', 'settings', 'branding', next)
  return branding(tx)
}

/** Replaces the logo (checked: see logo-image.ts). */
export async function setLogo(tx: Tx, env: DomainEnv, actor: Actor, bytes: Uint8Array): Promise<Logo> {
  const image = checkLogo(bytes)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const row = { ...image, sha256, base64: Buffer.from(bytes).toString('base64') }
  await putSetting(tx, env, KEYS.logo, JSON.stringify(row))
  await audit(tx, env, actor, 'branding.logo', 'settings', 'branding', {
    ...image,
    sha256,
    bytes: bytes.byteLength,
  })
  return { ...image, sha256, bytes }
}

export async function removeLogo(tx: Tx, env: DomainEnv, actor: Actor): Promise<void> {
  if (!(await tx.settings.get(KEYS.logo))?.value) return
  await putSetting(tx, env, KEYS.logo, '')
  await audit(tx, env, actor, 'branding.logo_remove', 'settings', 'branding')
}

/** The logo's URL: its hash makes it cacheable for good. */
export const logoPath = (logo: Pick<Logo, 'sha256' | 'contentType'>) =>
  `/brand/logo-${logo.sha256.slice(0, 16)}.${logo.contentType === 'image/png' ? 'png' : 'jpg'}`

function parsed<T>(schema: z.ZodType<T>, value: string | undefined): T | undefined {
  if (!value) return undefined
  try {
    const result = schema.safeParse(JSON.parse(value))
    return result.success ? result.data : undefined
  } catch {
    return undefined
  }
}

function withoutEmpty(t: z.output<typeof StoredText>): BrandingText {
  return {
    name: t.name,
    ...(t.supportEmail ? { supportEmail: t.supportEmail } : {}),
    ...(t.supportPhone ? { supportPhone: t.supportPhone } : {}),
    ...(t.postalAddress?.length ? { postalAddress: t.postalAddress } : {}),
    ...(t.taxId ? { taxId: t.taxId } : {}),
  }
}
