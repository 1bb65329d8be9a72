/** A minimal client for the operator API of a running controller. */

export interface Answer {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in tests
  body: any
  /** The controller answered from its idempotency record (`Idempotent-Replayed: true`). */
  replayed: boolean
}

export type Call = (
  method: string,
  path: string,
  body?: string | object,
  headers?: Record<string, string>,
) => Promise<Answer>

/**
 * Resolves only with a whole answer (status and parsed body); a refused connection, a reset or a
 * body cut short rejects, because then the client cannot know what happened.
 */
export function apiClient(baseUrl: string, token: string, timeoutMs = 15_000): Call {
  return async (method, path, body, headers = {}) => {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    }
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
    const res = await fetch(`${baseUrl}/api/v1${path}`, init)
    const text = await res.text()
    return {
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    }
  }
}

/** The body of an answer with this status; any other status throws with the body. */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in tests
export function must(answer: { status: number; body: any }, status: number): any {
  if (answer.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`)
  }
  return answer.body
}
