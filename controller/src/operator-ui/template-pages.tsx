/**
 * Settings → Notification templates: the list, one template's editor, save and reset (admins:
 * `settings`), and the preview, which renders a draft on a real subscriber and changes nothing.
 */
import type { Context, Hono } from 'hono'
import { every } from 'hono/combine'
import { Refusal } from '../domain/refusal.js'
import { EMAIL_STYLES } from '../notify/email-html.js'
import { previewTemplate } from '../notify/template-preview.js'
import { templateVariables } from '../notify/template-vars.js'
import {
  allTemplates,
  isTemplateChannel,
  isTemplateEvent,
  messageTemplate,
  resetTemplate,
  saveTemplate,
  type TemplateChannel,
} from '../notify/templates.js'
import type { NotificationEvent } from '../store/entities.js'
import { formAction } from '../ui/form-action.js'
import { readForm } from '../ui/form-input.js'
import { allowStyleAttributes } from '../ui/html-policy.js'
import type { OperatorEnv } from './operator-auth.js'
import { frame, type OperatorKit } from './operator-kit.js'
import { declare } from './permissions.js'
import { TemplateEditPage, TemplateListPage, templatePath } from './template-views.js'

const PATH = '/settings/templates/:event/:channel'

export function templatePages(ui: Hono<OperatorEnv>, kit: OperatorKit): void {
  const { store, env } = kit.deps
  const page = kit.pageFor('settings')
  const act = kit.action('settings')
  // A preview reads and renders, nothing more: the page's own check, no write guards (no CSRF, no audit).
  const preview = declare(every(page) as typeof page, 'settings')

  ui.get('/settings/templates', page, async (c) => {
    const templates = await store.peek((tx) => allTemplates(tx))
    return c.html(<TemplateListPage frame={frame(c)} templates={templates} />)
  })

  ui.get(PATH, page, async (c) => {
    const { event, channel } = target(c)
    const login = c.req.query('login') ?? ''
    const view = await store.peek(async (tx) => {
      const template = await messageTemplate(tx, event, channel)
      const draft = { subject: template.subject, body: template.body, login }
      return { template, draft, preview: await previewTemplate(tx, env, event, channel, draft, login) }
    })
    allowStyleAttributes(c, Object.values(EMAIL_STYLES))
    return c.html(<TemplateEditPage frame={frame(c)} variables={templateVariables(event)} {...view} />)
  })

  ui.post(`${PATH}/preview`, preview, async (c) => {
    const { event, channel } = target(c)
    const form = await readForm(c)
    const draft = { subject: form.subject ?? '', body: form.body ?? '', login: form.login ?? '' }
    const view = await store.peek(async (tx) => ({
      template: await messageTemplate(tx, event, channel),
      preview: await previewTemplate(tx, env, event, channel, draft, draft.login),
    }))
    const problems = [
      ...view.preview.problems.map((p) => ({ field: p.path, message: p.message })),
      ...(view.preview.loginProblem ? [{ field: 'login', message: view.preview.loginProblem }] : []),
    ]
    allowStyleAttributes(c, Object.values(EMAIL_STYLES))
    return c.html(
      <TemplateEditPage
        frame={frame(c)}
        variables={templateVariables(event)}
        draft={draft}
        posted={{ action: templatePath(event, channel), fields: draft, problems }}
        {...view}
      />,
    )
  })

  ui.post(PATH, act, async (c) => {
    const { event, channel } = target(c)
    const back = templatePath(event, channel)
    return formAction(c, 'operator', back, async () => {
      const form = await readForm(c)
      await store.transact((tx) => saveTemplate(tx, env, c.var.actor, event, channel, form))
      const login = form.login?.trim()
      return {
        message: 'Template saved. Messages sent from now on use it.',
        ...(login ? { to: `${back}?login=${encodeURIComponent(login)}` } : {}),
      }
    })
  })

  ui.post(`${PATH}/reset`, act, async (c) => {
    const { event, channel } = target(c)
    return formAction(c, 'operator', templatePath(event, channel), async () => {
      await store.transact((tx) => resetTemplate(tx, env, c.var.actor, event, channel))
      return { message: 'Template reset: messages use the default wording again.' }
    })
  })
}

/** The event and channel of the URL; anything else is no page. */
function target(c: Context<OperatorEnv>): { event: NotificationEvent; channel: TemplateChannel } {
  const event = c.req.param('event') ?? ''
  const channel = c.req.param('channel') ?? ''
  if (!isTemplateEvent(event) || !isTemplateChannel(channel)) {
    throw new Refusal('not_found', `There is no ${channel} template for ${event}.`)
  }
  return { event, channel }
}
