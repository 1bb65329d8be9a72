/** An error as a page, for people in a browser (API clients keep getting JSON). */
import { Document } from './document.js'

export function ErrorPage({ status, message, home }: { status: number; message: string; home: string }) {
  const title =
    status === 404
      ? 'Not found'
      : status === 403
        ? 'Refused'
        : status >= 500
          ? 'Something went wrong'
          : 'Error'
  return (
    <Document title={title} variant={home === '/portal' ? 'portal' : 'operator'}>
      <div class="login card">
        <h1>{title}</h1>
        <p role="alert">{message}</p>
        <p>
          <a href={home}>Back to the start page</a>
        </p>
      </div>
    </Document>
  )
}
