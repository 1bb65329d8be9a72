/** Request body of a subscriber edit (PATCH): any of the create fields but the login, at least one. */
import { BillingDay } from '@capd/protocol'
import { z } from 'zod'
import { CreateSubscriber } from './schemas.js'

const { name, password, email, phone, postalAddress, notes, planId, agentId, address } =
  CreateSubscriber.shape

/**
 * The login is not editable (it is how the customer logs in), so it is refused as an unknown
 * field. `password` sets a new one (there is no reading it back); `null` removes an e-mail
 * address, phone, postal address or notes, or the address (the subscriber is then known by login).
 */
export const UpdateSubscriber = z
  .strictObject({
    name,
    password: password.unwrap(),
    email: email.unwrap().nullable(),
    phone: phone.unwrap().nullable(),
    postalAddress: postalAddress.unwrap().nullable(),
    notes: notes.unwrap().nullable(),
    planId,
    agentId,
    address: address
      .unwrap()
      .nullable()
      .describe('A new address or prefix; null removes it (the subscriber is then known by its login).'),
    billingDay: BillingDay,
  })
  .partial()
  .refine((s) => Object.keys(s).length > 0, 'give at least one field to change')
