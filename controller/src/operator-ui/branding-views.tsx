/** The settings index and the branding page: the text form, the logo upload and its removal. */
import { type Branding, logoPath } from '../domain/branding.js'
import { LOGO_MAX_BYTES, LOGO_MAX_SIDE_PX, LOGO_MIN_SIDE_PX } from '../domain/logo-image.js'
import { describedBy, errorId, FieldErrorText } from '../ui/field-error.js'
import { fieldProblem, refilledValue } from '../ui/form-refill-context.js'
import { ActionForm, CsrfField, Field } from '../ui/forms.js'
import { OperatorPage } from './layout.js'
import type { Frame } from './operator-kit.js'
import { SETTINGS_SECTIONS } from './settings-sections.js'

export function SettingsIndexPage({ frame }: { frame: Frame }) {
  return (
    <OperatorPage {...frame} title="Settings" section="settings">
      <h1>Settings</h1>
      <ul class="settings-sections">
        {SETTINGS_SECTIONS.map((s) => (
          <li>
            <a href={s.href}>{s.label}</a>: {s.about}
          </li>
        ))}
      </ul>
    </OperatorPage>
  )
}

export function BrandingPage({ frame, branding }: { frame: Frame; branding: Branding }) {
  return (
    <OperatorPage {...frame} title="Branding" section="settings">
      <p>
        <a href="/settings">Settings</a>
      </p>
      <h1>Branding</h1>
      <p>Customers see this in the portal, and invoices carry it.</p>
      <section class="card">
        <h2 id="branding-text">Name and contact</h2>
        <ActionForm action="/settings/branding" csrf={frame.csrf} submit="Save" labelledBy="branding-text">
          <Field
            id="name"
            label="Name"
            required
            value={branding.named ? branding.name : ''}
            hint="The name customers know you by, on every portal page and invoice."
          />
          <Field id="supportEmail" label="Support e-mail" type="email" value={branding.supportEmail ?? ''} />
          <Field
            id="supportPhone"
            label="Support phone"
            value={branding.supportPhone ?? ''}
            hint="With the country code for international callers: +254 700 000 111."
          />
          <AddressField lines={branding.postalAddress ?? []} />
          <Field
            id="taxId"
            label="Tax id"
            value={branding.taxId ?? ''}
            hint="Your VAT number, KRA PIN or the like, printed on invoices as written."
          />
        </ActionForm>
      </section>
      <section class="card">
        <h2 id="branding-logo">Logo</h2>
        {branding.logo ? (
          <p>
            <img class="settings-logo" src={logoPath(branding.logo)} alt="Your current logo" />
          </p>
        ) : (
          <p>No logo yet: the portal shows your name alone.</p>
        )}
        <form
          method="post"
          action="/settings/branding/logo"
          enctype="multipart/form-data"
          aria-labelledby="branding-logo"
        >
          <CsrfField token={frame.csrf} />
          <div class="field">
            <label for="logo">Image file</label>
            <input
              id="logo"
              name="logo"
              type="file"
              accept="image/png,image/jpeg"
              required
              aria-describedby="logo-hint"
            />
            <p class="hint" id="logo-hint">
              {`PNG or JPEG, at most ${LOGO_MAX_BYTES / 1024} KB, each side ${LOGO_MIN_SIDE_PX} to ${LOGO_MAX_SIDE_PX} pixels.`}
            </p>
          </div>
          <button type="submit" class="button primary">
            Upload logo
          </button>
        </form>
        {branding.logo ? (
          <ActionForm
            action="/settings/branding/logo/remove"
            csrf={frame.csrf}
            submit="Remove logo"
            kind="danger"
          />
        ) : null}
      </section>
    </OperatorPage>
  )
}

/** A text box of lines; inside its form, so a refused post refills it (see form-refill-context.tsx). */
function AddressField({ lines }: { lines: readonly string[] }) {
  const problem = fieldProblem('postalAddress')
  return (
    <div class={problem ? 'field invalid' : 'field'}>
      <label for="postalAddress">Postal address</label>
      <FieldErrorText id="postalAddress" message={problem} />
      <textarea
        id="postalAddress"
        name="postalAddress"
        rows={4}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={describedBy(problem && errorId('postalAddress'), 'postalAddress-hint')}
      >
        {refilledValue('postalAddress', lines.join('\n'))}
      </textarea>
      <p class="hint" id="postalAddress-hint">
        One line per line of the address, up to six.
      </p>
    </div>
  )
}
