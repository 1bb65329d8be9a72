/**
 * A template as one real subscriber would receive it, before it is saved: their figures now, the
 * ISP's branding, and the listed examples for what only the event itself would say (a top-up's
 * size, an invoice's number). Reads only: a preview changes nothing.
 */
import { branding, logoPath } from '../domain/branding.js'
import type { DomainEnv } from '../domain/env.js'
import type { NotificationEvent, Subscriber } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { RenderedMessage } from './channel.js'
import { brandingVars, emailLayout, renderTemplate } from './render.js'
import { isSubscriberEvent, templateVariables } from './template-vars.js'
import { type TemplateChannel, type TemplateInput, templateInputProblems } from './templates.js'
import { subscriberFiguresIn } from './vars.js'

export interface TemplatePreview {
  message: RenderedMessage
  /** Whose figures fill it; none = the examples alone. */
  subscriber?: Pick<Subscriber, 'login' | 'name'>
  /** Said beside the login field: no subscriber has it. */
  loginProblem?: string
  /** The template's problems by field, as saving would refuse them (it renders anyway, unknown names empty). */
  problems: { path: 'subject' | 'body'; message: string }[]
}

export async function previewTemplate(
  tx: Tx,
  env: DomainEnv,
  event: NotificationEvent,
  channel: TemplateChannel,
  draft: TemplateInput,
  login: string,
): Promise<TemplatePreview> {
  const examples = Object.fromEntries(templateVariables(event).map((v) => [v.name, v.example]))
  const wanted = login.trim()
  const sub = wanted === '' ? undefined : await tx.subscribers.byLogin(wanted)
  const found = sub && sub.deletedAtMs === undefined ? sub : undefined
  const figures =
    (found && isSubscriberEvent(event) && (await subscriberFiguresIn(tx, env, found))?.vars) || {}
  const b = await branding(tx)
  const template = {
    channel,
    subject: channel === 'email' && typeof draft.subject === 'string' ? draft.subject : '',
    body: typeof draft.body === 'string' ? draft.body : '',
  }
  // The logo by its path on this site: the page's own policy lets only this site's images in.
  const layout = { ...emailLayout(b, env), ...(b.logo && env.publicUrl ? { logoUrl: logoPath(b.logo) } : {}) }
  const message = renderTemplate(template, { ...examples, ...figures, ...brandingVars(b) }, layout)
  return {
    message,
    ...(found ? { subscriber: { login: found.login, name: found.name } } : {}),
    ...(wanted !== '' && !found ? { loginProblem: `No subscriber has the login ${wanted}.` } : {}),
    problems: templateInputProblems(event, channel, draft),
  }
}
