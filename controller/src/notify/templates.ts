/**
 * Message templates per event and channel: the default (template-defaults.ts) unless the ISP saved
 * its own, kept in the store's settings as `notify.template.<event>.<channel>.subject|body`.
 * Webhooks carry JSON and have none. A template naming a variable its event lacks is refused.
 */

import { isSafeText } from '../api/safe-text.js'
import { audit } from '../domain/audit.js'
import type { Actor, DomainEnv } from '../domain/env.js'
import { putSetting } from '../domain/put-setting.js'
import { Refusal } from '../domain/refusal.js'
import { NOTIFICATION_EVENTS, type NotificationEvent } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import { DEFAULT_TEMPLATES } from './template-defaults.js'
import { templateProblems } from './template-text.js'
import { variableNames } from './template-vars.js'

export type TemplateChannel = 'email' | 'sms'
export const TEMPLATE_CHANNELS: readonly TemplateChannel[] = ['email', 'sms']

export const SUBJECT_MAX = 200
/** Long enough for any letter; an SMS template allows a few messages' worth, variables expanded. */
export const BODY_MAX: Readonly<Record<TemplateChannel, number>> = { email: 5000, sms: 600 }

/** A template as it is used: `subject` is empty for SMS. */
export interface MessageTemplate {
  readonly event: NotificationEvent
  readonly channel: TemplateChannel
  readonly subject: string
  readonly body: string
  /** True when the ISP saved its own (subject or body). */
  readonly customised: boolean
}

export const isTemplateEvent = (value: string): value is NotificationEvent =>
  (NOTIFICATION_EVENTS as readonly string[]).includes(value)
export const isTemplateChannel = (value: string): value is TemplateChannel =>
  (TEMPLATE_CHANNELS as readonly string[]).includes(value)

const key = (event: NotificationEvent, channel: TemplateChannel, part: 'subject' | 'body') =>
  `notify.template.${event}.${channel}.${part}`

export function defaultTemplate(event: NotificationEvent, channel: TemplateChannel): MessageTemplate {
  const d = DEFAULT_TEMPLATES[event]
  return {
    event,
    channel,
    subject: channel === 'email' ? d.email.subject : '',
    body: d[channel].body,
    customised: false,
  }
}

/** The template in use: each part the ISP saved, else the default's. */
export async function messageTemplate(
  tx: Tx,
  event: NotificationEvent,
  channel: TemplateChannel,
): Promise<MessageTemplate> {
  const fallback = defaultTemplate(event, channel)
  const body = (await tx.settings.get(key(event, channel, 'body')))?.value || undefined
  const subject =
    channel === 'email'
      ? (await tx.settings.get(key(event, channel, 'subject')))?.value || undefined
      : undefined
  return {
    ...fallback,
    subject: subject ?? fallback.subject,
    body: body ?? fallback.body,
    customised: body !== undefined || subject !== undefined,
  }
}

/** Every event's templates on every channel, for the settings list. */
export async function allTemplates(tx: Tx): Promise<MessageTemplate[]> {
  const out: MessageTemplate[] = []
  for (const event of NOTIFICATION_EVENTS) {
    for (const channel of TEMPLATE_CHANNELS) out.push(await messageTemplate(tx, event, channel))
  }
  return out
}

export interface TemplateInput {
  subject?: unknown
  body?: unknown
}

/**
 * The template's problems by field (`subject`, `body`), as a page marks them; none = it may be
 * saved. Also what a preview shows, so the operator sees them while typing.
 */
export function templateInputProblems(
  event: NotificationEvent,
  channel: TemplateChannel,
  input: TemplateInput,
): { path: 'subject' | 'body'; message: string }[] {
  const known = variableNames(event)
  const problems: { path: 'subject' | 'body'; message: string }[] = []
  const body = typeof input.body === 'string' ? normalised(input.body) : ''
  if (channel === 'email') {
    const subject = typeof input.subject === 'string' ? input.subject : ''
    const first =
      subject.trim() === ''
        ? 'Enter a subject.'
        : subject.length > SUBJECT_MAX
          ? `Use at most ${SUBJECT_MAX} characters.`
          : !isSafeText(subject)
            ? 'Keep the subject on one line, without invisible control characters.'
            : templateProblems(subject, known)[0]
    if (first) problems.push({ path: 'subject', message: first })
  }
  // Line breaks and tabs are the body's own; other controls would hide text in the message.
  const bodyFirst =
    body.trim() === ''
      ? 'Enter the message.'
      : body.length > BODY_MAX[channel]
        ? `Use at most ${BODY_MAX[channel]} characters.`
        : !isSafeText(body.replace(/[\r\n\t]/g, ' '))
          ? 'Remove the invisible control characters from the message.'
          : templateProblems(body, known)[0]
  if (bodyFirst) problems.push({ path: 'body', message: bodyFirst })
  return problems
}

/** Saves the ISP's own template (both parts). Bad input is refused naming each field, and changes nothing. */
export async function saveTemplate(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  event: NotificationEvent,
  channel: TemplateChannel,
  input: TemplateInput,
): Promise<MessageTemplate> {
  const problems = templateInputProblems(event, channel, input)
  if (problems.length > 0) {
    throw new Refusal('invalid_request', problems.map((p) => `${p.path}: ${p.message}`).join(' '), problems)
  }
  const body = normalised(String(input.body))
  const subject = channel === 'email' ? String(input.subject).trim() : ''
  await putSetting(tx, env, key(event, channel, 'body'), body)
  if (channel === 'email') await putSetting(tx, env, key(event, channel, 'subject'), subject)
  await audit(tx, env, actor, 'notify.template.save', 'settings', `${event}.${channel}`, { subject, body })
  return messageTemplate(tx, event, channel)
}

/** Back to the default: the saved parts are cleared (a cleared setting reads as unset). */
export async function resetTemplate(
  tx: Tx,
  env: DomainEnv,
  actor: Actor,
  event: NotificationEvent,
  channel: TemplateChannel,
): Promise<void> {
  const parts = channel === 'email' ? (['subject', 'body'] as const) : (['body'] as const)
  let changed = false
  for (const part of parts) {
    if ((await tx.settings.get(key(event, channel, part)))?.value) {
      await putSetting(tx, env, key(event, channel, part), '')
      changed = true
    }
  }
  if (changed) await audit(tx, env, actor, 'notify.template.reset', 'settings', `${event}.${channel}`)
}

/** Browsers post line breaks as CRLF; messages keep LF, and no trailing blank lines. */
const normalised = (body: string) => body.replace(/\r\n?/g, '\n').replace(/\s+$/, '')
