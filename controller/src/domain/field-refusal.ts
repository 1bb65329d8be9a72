/** A refusal about one request field, named in `details` as a validation error names its fields (see parseInput). */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ApiError } from '../errors.js'

/**
 * `message` is the API's sentence; `problem` says the same without the field's name, for a form
 * that puts its own label before it (see labelRefusals).
 */
export function fieldRefusal(
  status: ContentfulStatusCode,
  code: string,
  field: string,
  message: string,
  problem = message,
): ApiError {
  return new ApiError(status, code, message, [{ path: field, message: problem }])
}
