/** The notification templates' pages: the list of events × channels, and one template's editor with its preview. */
import { EVENT_LABELS } from '../notify/event-labels.js'
import type { TemplatePreview } from '../notify/template-preview.js'
import type { TemplateVariable } from '../notify/template-vars.js'
import { BODY_MAX, type MessageTemplate, SUBJECT_MAX, type TemplateChannel } from '../notify/templates.js'
import type { NotificationEvent } from '../store/entities.js'
import { assetUrl } from '../ui/assets.js'
import type { PostedForm } from '../ui/form-refill.js'
import { RefillForm, RefillPage } from '../ui/form-refill-context.js'
import { ActionForm, CsrfField, Field, TextArea } from '../ui/forms.js'
import { OperatorPage } from './layout.js'
import { can, type Frame } from './operator-kit.js'

export const CHANNEL_LABELS: Readonly<Record<TemplateChannel, string>> = { email: 'E-mail', sms: 'SMS' }

export const templatePath = (event: NotificationEvent, channel: TemplateChannel) =>
  `/settings/templates/${event}/${channel}`

export function TemplateListPage({
  frame,
  templates,
}: {
  frame: Frame
  templates: readonly MessageTemplate[]
}) {
  const events = [...new Set(templates.map((t) => t.event))]
  const cell = (event: NotificationEvent, channel: TemplateChannel) => {
    const t = templates.find((x) => x.event === event && x.channel === channel)
    return (
      <a href={templatePath(event, channel)}>
        {t?.customised ? 'Customised' : 'Default'}
        <span class="visually-hidden">{` ${CHANNEL_LABELS[channel]}: ${EVENT_LABELS[event]}`}</span>
      </a>
    )
  }
  return (
    <OperatorPage {...frame} title="Notification templates" section="settings">
      <p>
        <a href="/settings">Settings</a>
      </p>
      <h1 id="templates-title">Notification templates</h1>
      <p>
        The words of each message capd sends, by e-mail and SMS. Open one to change it and see it as a
        subscriber would. Webhooks carry the event's data as JSON and have no template.
      </p>
      <div class="table-wrap">
        <table aria-labelledby="templates-title">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">E-mail</th>
              <th scope="col">SMS</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr>
                <td>
                  {EVENT_LABELS[event]} <code>{event}</code>
                </td>
                <td>{cell(event, 'email')}</td>
                <td>{cell(event, 'sms')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </OperatorPage>
  )
}

export interface TemplateEditProps {
  frame: Frame
  template: MessageTemplate
  variables: readonly TemplateVariable[]
  /** What the form shows: the saved template, or what was posted to the preview. */
  draft: { subject: string; body: string; login: string }
  preview: TemplatePreview
  /** A preview post: its fields and problems fill the form as a refused save would. */
  posted?: PostedForm
}

export function TemplateEditPage(p: TemplateEditProps) {
  const { event, channel } = p.template
  const path = templatePath(event, channel)
  const title = `${EVENT_LABELS[event]}: ${CHANNEL_LABELS[channel]}`
  const page = (
    <>
      <p>
        <a href="/settings">Settings</a> › <a href="/settings/templates">Notification templates</a>
      </p>
      <h1>{title}</h1>
      <p>
        {p.template.customised ? 'Your own wording.' : 'capd’s default wording.'} Event <code>{event}</code>.
      </p>
      <div class="columns">
        <section class="card" aria-labelledby="template-form-title">
          <h2 id="template-form-title">Template</h2>
          <form
            method="post"
            action={path}
            aria-labelledby="template-form-title"
            data-preview-action={`${path}/preview`}
          >
            <CsrfField token={p.frame.csrf} />
            <RefillForm action={path}>
              {channel === 'email' ? (
                <Field id="subject" label="Subject" value={p.draft.subject} required />
              ) : null}
              <div class="template-body">
                <TextArea
                  id="body"
                  label="Message"
                  value={p.draft.body}
                  rows={channel === 'email' ? 14 : 5}
                  maxlength={BODY_MAX[channel]}
                  required
                  hint={
                    channel === 'sms'
                      ? 'One SMS holds 160 plain characters (70 with other scripts or emoji); a longer one is sent in parts.'
                      : 'Plain text: a blank line starts a new paragraph, and web addresses become links in the HTML version.'
                  }
                />
              </div>
              <Field
                id="login"
                label="Preview with the subscriber"
                value={p.draft.login}
                hint="A subscriber's login: the preview shows their figures now. Empty = the example figures."
              />
            </RefillForm>
            <div class="actions">
              {can(p.frame, 'settings') ? (
                <button type="submit" class="button primary">
                  Save template
                </button>
              ) : null}
              <button type="submit" class="button secondary" formaction={`${path}/preview`}>
                Preview
              </button>
            </div>
          </form>
          {p.template.customised && can(p.frame, 'settings') ? (
            <ActionForm
              action={`${path}/reset`}
              csrf={p.frame.csrf}
              submit="Reset to default"
              kind="secondary"
            >
              <p class="hint">Brings back capd’s default wording for this message, replacing yours.</p>
            </ActionForm>
          ) : null}
        </section>
        <Variables variables={p.variables} />
      </div>
      <PreviewSection channel={channel} preview={p.preview} />
      <script src={assetUrl('template-preview.js')} defer />
    </>
  )
  return (
    <OperatorPage {...p.frame} title={title} section="settings">
      {p.posted ? <RefillPage posted={p.posted}>{page}</RefillPage> : page}
    </OperatorPage>
  )
}

function Variables({ variables }: { variables: readonly TemplateVariable[] }) {
  return (
    <section class="card" aria-labelledby="variables-title">
      <h2 id="variables-title">Variables</h2>
      <p>
        Write a variable's name in double braces, such as <code>{'{{name}}'}</code>: each message has its
        value in its place. A variable without a value is left empty. Subject and message may use only these:
      </p>
      <dl class="variables">
        {variables.map((v) => (
          <>
            <dt>{`{{${v.name}}}`}</dt>
            <dd>{`${v.about}. Example: ${v.example}`}</dd>
          </>
        ))}
      </dl>
      <p class="hint">{`The subject may be at most ${SUBJECT_MAX} characters.`}</p>
    </section>
  )
}

/** The region the preview script swaps (by id), so it holds everything that changes while typing. */
function PreviewSection({ channel, preview }: { channel: TemplateChannel; preview: TemplatePreview }) {
  const { message } = preview
  return (
    <section id="template-preview" class="card" aria-labelledby="template-preview-title">
      <h2 id="template-preview-title">Preview</h2>
      <p id="preview-whose">
        {preview.subscriber
          ? `With the figures of ${preview.subscriber.name} (${preview.subscriber.login}) now, and your branding.`
          : 'With the example figures and your branding. Enter a login under the message to see a subscriber’s.'}
      </p>
      {preview.loginProblem ? <p class="notice error">{preview.loginProblem}</p> : null}
      {preview.problems.length > 0 ? (
        <div class="notice error">
          <p>Saving would be refused:</p>
          <ul>
            {preview.problems.map((problem) => (
              <li>{`${problem.path === 'subject' ? 'Subject' : 'Message'}: ${problem.message}`}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {channel === 'email' ? (
        <>
          <h3>Subject</h3>
          <p class="preview-text" id="preview-subject">
            {message.subject}
          </p>
        </>
      ) : null}
      <h3>{channel === 'email' ? 'Text' : `Text (${smsSize(message.text)})`}</h3>
      <pre class="preview-text" id="preview-text">
        {message.text}
      </pre>
      {message.html !== undefined ? (
        <>
          <h3>As HTML</h3>
          {/* No scripts and a unique origin: the frame shows the e-mail and can do nothing else. */}
          <iframe
            id="preview-html"
            class="preview-frame"
            title="The e-mail as its HTML version"
            sandbox=""
            srcdoc={message.html}
          />
        </>
      ) : null}
    </section>
  )
}

/** How many characters, and about how many SMS parts that is (plain characters 160/153 a part, others 70/67). */
export function smsSize(text: string): string {
  const chars = [...text].length
  const plain = /^[\n\r\x20-\x7e]*$/.test(text)
  const [one, part] = plain ? [160, 153] : [70, 67]
  const parts = chars <= one ? 1 : Math.ceil(chars / part)
  return `${chars} characters: ${parts === 1 ? 'one SMS' : `${parts} SMS parts`}`
}
