/** The customer's alert choices in a sentence for the operator's subscriber page (they are the customer's to change). */
import { alertChoicesOf } from '../domain/alert-choices.js'
import type { Subscriber } from '../store/entities.js'

/** E.g. "Usage alerts by e-mail and SMS (no phone on file); receipts by e-mail". */
export function alertChoicesText(sub: Subscriber): string {
  const choices = alertChoicesOf(sub)
  const ways: string[] = []
  if (choices.email) ways.push(sub.email ? 'e-mail' : 'e-mail (no address on file)')
  if (choices.sms) ways.push(sub.phone ? 'SMS' : 'SMS (no phone on file)')
  const usage = ways.length > 0 ? `Usage alerts by ${ways.join(' and ')}` : 'No usage alerts'
  const receipts = choices.receipts ? 'receipts by e-mail' : 'no receipts'
  // Said, so an operator does not read a customer's silence as a fault of theirs.
  const whose = sub.alerts ? '' : ' (the defaults: the customer has not chosen)'
  return `${usage}; ${receipts}${whose}`
}
