/**
 * Test helpers for refused forms as a screen reader meets them: each control marked
 * aria-invalid="true", the text of the element its aria-describedby names first, and its label.
 */

export interface FieldMark {
  /** The control's `name`. */
  name: string
  /** The label of the field the message belongs to (a data amount's unit select: the amount's label). */
  label: string | undefined
  /** The message beside the field, without the "Error:" said before it. */
  message: string
}

const ENTITIES: Record<string, string> = { quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' }
const decoded = (text: string) => text.replace(/&(quot|#39|lt|gt|amp);/g, (_, e: string) => ENTITIES[e]!)

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const [, name, value] of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) found[name!] = decoded(value!)
  return found
}

/** The text inside the element with `id` (tags stripped, entities decoded), or undefined. */
export function textOfId(html: string, id: string): string | undefined {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const open = new RegExp(`<(\\w+)[^>]*\\sid="${escaped}"[^>]*>`).exec(html)
  if (!open) return undefined
  // The element ends at the close tag that balances it: it may hold elements of its own kind.
  const tags = new RegExp(`<(/?)${open[1]}\\b[^>]*>`, 'g')
  tags.lastIndex = open.index + open[0].length
  let depth = 1
  for (let tag = tags.exec(html); tag; tag = tags.exec(html)) {
    depth += tag[1] ? -1 : 1
    if (depth === 0) {
      const inner = html.slice(open.index + open[0].length, tag.index)
      return decoded(inner.replace(/<[^>]*>/g, '')).trim()
    }
  }
  return undefined
}

/** The inside of the form named by the heading `titleId`. */
export function formNamed(html: string, titleId: string): string {
  const form = new RegExp(`<form[^>]*aria-labelledby="${titleId}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1]
  if (form === undefined) throw new Error(`no form ${titleId}`)
  return form
}

/** The marked controls of `html` (or of the form named `titleId`), one per name, in page order. */
export function fieldMarksIn(html: string, titleId?: string): FieldMark[] {
  const part = titleId ? formNamed(html, titleId) : html
  const marks: FieldMark[] = []
  for (const [tag] of part.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
    const a = attributes(tag)
    if (a['aria-invalid'] !== 'true' || !a.name || marks.some((m) => m.name === a.name)) continue
    const messageId = (a['aria-describedby'] ?? '').split(' ')[0] ?? ''
    const text = textOfId(html, messageId)
    if (text === undefined)
      throw new Error(`${a.name} is marked, but its message ${messageId} is not on the page`)
    const owner = messageId.replace(/-error$/, '')
    const label = labelFor(html, owner)
    marks.push({ name: a.name, label, message: text.replace(/^Error: /, '') })
  }
  return marks
}

function labelFor(html: string, id: string): string | undefined {
  const match = new RegExp(`<label[^>]*for="${id}"[^>]*>([\\s\\S]*?)</label>`).exec(html)
  return match ? decoded(match[1]!.replace(/<[^>]*>/g, '')).trim() : undefined
}

/**
 * What a refusal says on the page: for marked fields, "Label: message" of each ("; " between);
 * else the banner's text. Lets a test say what it expects either way.
 */
export function refusalIn(html: string): string | undefined {
  const marks = fieldMarksIn(html)
  if (marks.length > 0) return marks.map((m) => `${m.label ?? m.name}: ${m.message}`).join('; ')
  return bannerIn(html)
}

/** The banner's text, if any. */
export function bannerIn(html: string): string | undefined {
  const match = /<div class="notice (\w+)" role="\w+">([^<]*)</.exec(html)
  return match ? decoded(match[2]!) : undefined
}
