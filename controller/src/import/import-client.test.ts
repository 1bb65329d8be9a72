/** The import's call to the controller: what it says when the answer is not a capd report. */
import { describe, expect, it } from 'vitest'
import { ControllerError, postImport } from './import-client.js'

const URL = 'https://capd.example.net'
const BODY = { dryRun: true, rows: [] }
/** A fetch that answers every call with this status and body. */
const answering = (status: number, body: string, type: string) => async () =>
  new Response(body, { status, headers: { 'content-type': type } })

async function failure(fetchImpl: typeof fetch): Promise<ControllerError> {
  const err = await postImport(URL, 'token', BODY, fetchImpl).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(ControllerError)
  return err as ControllerError
}

describe('postImport', () => {
  it("names the proxy's body limit when a page (not capd's JSON) answers 413", async () => {
    const nginx = '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n</html>\r\n'
    const err = await failure(answering(413, nginx, 'text/html'))
    expect(err.message).toBe(
      'the proxy in front of capd refused the file as too large: raise client_max_body_size for ' +
        '/api/v1/subscribers/import (see the nginx example, docs/nginx-capd.conf)',
    )
  })

  it("passes the controller's own 413 on as the controller's", async () => {
    const capd = JSON.stringify({ error: { code: 'payload_too_large', message: 'the body is over 8 MiB' } })
    const err = await failure(answering(413, capd, 'application/json'))
    expect(err.message).toBe('the controller answered 413: the body is over 8 MiB')
  })

  it('still asks whether it is a capd controller for any other page', async () => {
    const err = await failure(answering(502, '<html>502 Bad Gateway</html>', 'text/html'))
    expect(err.message).toBe(`${URL} answered 502 with no capd report: is it a capd controller?`)
  })
})
