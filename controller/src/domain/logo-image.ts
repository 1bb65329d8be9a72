/**
 * Checks an uploaded logo: PNG or JPEG by its magic bytes (never SVG, which can carry script), a
 * sane size in bytes and pixels, and an image that decodes, so a page or an invoice PDF that shows
 * it never meets a broken file.
 */
import { inflateSync } from 'node:zlib'
import { fieldRefusal } from './refusal.js'

export const LOGO_MAX_BYTES = 200 * 1024
export const LOGO_MIN_SIDE_PX = 16
export const LOGO_MAX_SIDE_PX = 2048
/** A logo wider than ten times its height (or the reverse) is a banner or a mistake. */
const MAX_ASPECT = 10

export type LogoType = 'image/png' | 'image/jpeg'

export interface LogoImage {
  readonly contentType: LogoType
  readonly widthPx: number
  readonly heightPx: number
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

const refuse = (problem: string) => fieldRefusal('invalid_request', 'logo', `logo: ${problem}`, problem)

/** What the image is, or a refusal on the `logo` field saying in plain words what is wrong. */
export function checkLogo(bytes: Uint8Array): LogoImage {
  if (bytes.byteLength === 0) throw refuse('the file is empty')
  if (bytes.byteLength > LOGO_MAX_BYTES) {
    throw refuse(`the file is ${kb(bytes.byteLength)} KB; a logo may be at most ${kb(LOGO_MAX_BYTES)} KB`)
  }
  const image = startsWith(bytes, PNG_SIGNATURE)
    ? readPng(bytes)
    : startsWith(bytes, [0xff, 0xd8, 0xff])
      ? readJpeg(bytes)
      : undefined
  if (!image) throw refuse('upload a PNG or JPEG image (other formats, SVG included, are not accepted)')
  const { widthPx: w, heightPx: h } = image
  if (Math.min(w, h) < LOGO_MIN_SIDE_PX || Math.max(w, h) > LOGO_MAX_SIDE_PX) {
    throw refuse(
      `the image is ${w} × ${h} pixels; each side must be between ${LOGO_MIN_SIDE_PX} and ${LOGO_MAX_SIDE_PX}`,
    )
  }
  if (Math.max(w, h) > MAX_ASPECT * Math.min(w, h)) {
    throw refuse(`the image is ${w} × ${h} pixels; a logo may be at most ${MAX_ASPECT} times wider than high`)
  }
  return image
}

const kb = (n: number) => Math.ceil(n / 1024)

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b)
}

const u32 = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n))

/** Channels per PNG colour type (grey, RGB, palette, grey+alpha, RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/** Walks the chunks (IHDR first, IEND last) and inflates the pixel data: a truncated or forged file fails. */
function readPng(b: Uint8Array): LogoImage {
  if (b.byteLength < 33 || ascii(b, 12, 4) !== 'IHDR') throw refuse('the PNG file is damaged')
  const widthPx = u32(b, 16)
  const heightPx = u32(b, 20)
  const bitDepth = b[24]!
  const channels = PNG_CHANNELS[b[25]!]
  const interlaced = b[28] !== 0
  if (!channels || ![1, 2, 4, 8, 16].includes(bitDepth)) throw refuse('the PNG file is damaged')
  const idat: Uint8Array[] = []
  let at = 8
  let ended = false
  while (at + 12 <= b.byteLength) {
    const length = u32(b, at)
    const type = ascii(b, at + 4, 4)
    if (at + 12 + length > b.byteLength) break
    if (type === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + length))
    at += 12 + length
    if (type === 'IEND') {
      ended = true
      break
    }
  }
  if (!ended || idat.length === 0) throw refuse('the PNG file is damaged or cut short')
  // Pixel sides are checked after this; bound them first so the expected size is no overflow.
  if (widthPx === 0 || heightPx === 0 || widthPx > 65_535 || heightPx > 65_535) {
    return { contentType: 'image/png', widthPx, heightPx }
  }
  let pixels: Buffer
  try {
    pixels = inflateSync(Buffer.concat(idat), { maxOutputLength: 64 * 1024 * 1024 })
  } catch {
    throw refuse('the PNG file is damaged (its pixels do not decode)')
  }
  const rowBytes = 1 + Math.ceil((widthPx * channels * bitDepth) / 8)
  if (!interlaced && pixels.byteLength < rowBytes * heightPx)
    throw refuse('the PNG file is damaged or cut short')
  return { contentType: 'image/png', widthPx, heightPx }
}

/** Finds the frame header (SOFn) for the size; the scan data must follow and the file must end with EOI. */
function readJpeg(b: Uint8Array): LogoImage | undefined {
  let at = 2
  while (at + 4 <= b.byteLength) {
    if (b[at] !== 0xff) throw refuse('the JPEG file is damaged')
    const marker = b[at + 1]!
    if (marker === 0xff) {
      at += 1
      continue
    }
    const length = u16(b, at + 2)
    if (length < 2 || at + 2 + length > b.byteLength) break
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)
    if (isFrame && length >= 7) {
      const heightPx = u16(b, at + 5)
      const widthPx = u16(b, at + 7)
      if (b[b.byteLength - 2] !== 0xff || b[b.byteLength - 1] !== 0xd9) {
        throw refuse('the JPEG file is damaged or cut short')
      }
      return { contentType: 'image/jpeg', widthPx, heightPx }
    }
    at += 2 + length
  }
  throw refuse('the JPEG file is damaged or cut short')
}
