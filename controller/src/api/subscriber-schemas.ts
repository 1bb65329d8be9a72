/** Request body of a subscriber edit (PATCH): any of the create fields but the login, at least one. */
import { BillingDay } from '@capd/protocol'
import { z } from 'zod'
import { CreateSubscriber } from './schemas.js'

const { name, password, email, planId, agentId, address } = CreateSubscriber.shape

/**
 * The login is not editable (it is how the customer logs in), so it is refused as an unknown
 * field. `password` sets a new one (there is no reading it back); `email: null` removes the
 * e-mail address.
 */
export const UpdateSubscriber = z
  .strictObject({
    name,
    password: password.unwrap(),
    email: email.unwrap().nullable(),
    planId,
    agentId,
    address,
    billingDay: BillingDay,
  })
  .partial()
  .refine((s) => Object.keys(s).length > 0, 'give at least one field to change')
