/**
 * The HTML document every page is: head, stylesheet, live-update script, a skip link and one main,
 * which opens with the message a previous action left and refills the form it refused, if any.
 */
import type { Child } from 'hono/jsx'
import { assetUrl } from './assets.js'
import type { Flash } from './flash.js'
import { RefillPage } from './form-refill-context.js'
import { FlashNotice } from './forms.js'

export interface DocumentProps {
  title: string
  /** Where live.js listens for changes (an SSE URL); absent = a static page. */
  liveSource?: string
  /** `portal` pages are laid out for phones first. */
  variant: 'operator' | 'portal'
  header?: Child
  /** The message a previous action left (see flash.ts), with the fields of a refused form. */
  flash?: Flash | undefined
  /** Whose site it is, after the page's title in the browser's tab (the ISP's name on the portal). */
  site?: string
  footer?: Child
  children?: Child
}

export function Document({
  title,
  liveSource,
  variant,
  header,
  flash,
  site,
  footer,
  children,
}: DocumentProps) {
  return (
    <RefillPage posted={flash?.form}>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light" />
          <title>{`${title} · ${site ?? 'capd'}`}</title>
          <link rel="stylesheet" href={assetUrl('capd.css')} />
          {liveSource ? <script src={assetUrl('live.js')} defer /> : null}
        </head>
        <body class={variant} data-live-source={liveSource}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          {header}
          <main id="main" tabindex={-1}>
            <FlashNotice flash={flash} />
            {children}
          </main>
          {footer}
        </body>
      </html>
    </RefillPage>
  )
}
