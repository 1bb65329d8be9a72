/** Parsing raw WebSocket text into a checked message, returning a result instead of throwing. */
import type { z } from 'zod'
import { AgentMessage, ControllerMessage, PROTOCOL_VERSION } from './messages.js'

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string }

const AGENT_TYPES: readonly string[] = AgentMessage.options.map((option) => option.shape.type.value)
const CONTROLLER_TYPES: readonly string[] = ControllerMessage.options.map((option) => option.shape.type.value)

/** A reply listing hundreds of bad entries helps nobody; the first few say what is wrong. */
const MAX_REPORTED_ISSUES = 5

/** Parses a message the controller received from an agent. */
export function parseAgentMessage(raw: string): ParseResult<AgentMessage> {
  return parseMessage(raw, AgentMessage, 'agent', AGENT_TYPES, CONTROLLER_TYPES)
}

/** Parses a message the agent received from the controller. */
export function parseControllerMessage(raw: string): ParseResult<ControllerMessage> {
  return parseMessage(raw, ControllerMessage, 'controller', CONTROLLER_TYPES, AGENT_TYPES)
}

function parseMessage<T>(
  raw: string,
  schema: z.ZodType<T>,
  sender: 'agent' | 'controller',
  ownTypes: readonly string[],
  otherTypes: readonly string[],
): ParseResult<T> {
  if (typeof raw !== 'string') return fail(`message must be JSON text, got ${typeof raw}`)
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch (error) {
    return fail(`malformed JSON: ${(error as Error).message}`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return fail('message must be a JSON object')
  // Version and type are checked first so a peer on another version gets that, not a list of field errors.
  const { v, type } = data as { v?: unknown; type?: unknown }
  if (v !== PROTOCOL_VERSION) {
    return fail(
      v === undefined
        ? `missing protocol version "v" (expected ${PROTOCOL_VERSION})`
        : `unsupported protocol version ${JSON.stringify(v)} (expected ${PROTOCOL_VERSION})`,
    )
  }
  if (typeof type !== 'string') return fail('missing message type: "type" must be a string')
  if (!ownTypes.includes(type)) {
    const other = sender === 'agent' ? 'controller' : 'agent'
    return fail(
      otherTypes.includes(type)
        ? `"${type}" is sent by the ${other}, not by the ${sender}`
        : `unknown ${sender} message type ${JSON.stringify(type)} (expected one of ${ownTypes.join(', ')})`,
    )
  }
  const result = schema.safeParse(data)
  if (result.success) return { ok: true, message: result.data }
  const issues = result.error.issues
  const shown = issues
    .slice(0, MAX_REPORTED_ISSUES)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`)
  return fail(`invalid ${type} message: ${shown.join('; ')}`)
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(message)'
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('')
}
