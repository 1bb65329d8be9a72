/**
 * Turns a decided notification into the words of one channel's message: its event's template (the
 * ISP's own or the default) filled with the notification's figures and the ISP's current branding.
 */
import { type Branding, branding, logoPath } from '../domain/branding.js'
import type { DomainEnv } from '../domain/env.js'
import type { Channel, Notification } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { RenderedMessage } from './channel.js'
import { type EmailLayout, emailHtml } from './email-html.js'
import { fillTemplate } from './template-text.js'
import { type MessageTemplate, messageTemplate } from './templates.js'

export type Renderer = (
  tx: Tx,
  env: DomainEnv,
  notification: Notification,
  channel: Channel,
) => Promise<RenderedMessage>

/** The message of `notification` on `channel`. Webhooks have no template: their body is the data as JSON. */
export const renderMessage: Renderer = async (tx, env, notification, channel) => {
  if (channel === 'webhook') return { subject: notification.event, text: JSON.stringify(notification.data) }
  const b = await branding(tx)
  const template = await messageTemplate(tx, notification.event, channel)
  return renderTemplate(template, { ...notification.vars, ...brandingVars(b) }, emailLayout(b, env))
}

/** A template filled with `vars`: subject and text, and for e-mail the HTML made from the text. */
export function renderTemplate(
  template: Pick<MessageTemplate, 'channel' | 'subject' | 'body'>,
  vars: Readonly<Record<string, string>>,
  layout: EmailLayout,
): RenderedMessage {
  const subject = fillTemplate(template.subject, vars)
  const text = fillTemplate(template.body, vars)
  return template.channel === 'email'
    ? { subject, text, html: emailHtml(subject, text, layout) }
    : { subject, text }
}

/** `{{ispName}}`, `{{supportEmail}}`, `{{supportPhone}}`, `{{supportContact}}`: as the branding says now. */
export function brandingVars(b: Branding): Record<string, string> {
  const contacts = [b.supportEmail, b.supportPhone].filter((x): x is string => !!x)
  return {
    ispName: b.name,
    supportEmail: b.supportEmail ?? '',
    supportPhone: b.supportPhone ?? '',
    supportContact: contacts.length > 0 ? contacts.join(' or ') : b.name,
  }
}

/** The e-mail's header: the logo only where customers can fetch it (the controller's public URL). */
export function emailLayout(b: Branding, env: Pick<DomainEnv, 'publicUrl'>): EmailLayout {
  return {
    ispName: b.name,
    ...(b.logo && env.publicUrl ? { logoUrl: `${env.publicUrl}${logoPath(b.logo)}` } : {}),
  }
}
