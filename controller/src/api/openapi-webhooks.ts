/** The requests capd sends to webhook endpoints, as OpenAPI 3.1 `webhooks`: one entry, every event alike. */
import { NOTIFICATION_EVENTS } from '../store/entities.js'

const header = (description: string, example: string) => ({
  required: true,
  description,
  schema: { type: 'string', example },
})

export const WEBHOOKS_DOCUMENT = {
  event: {
    post: {
      summary: 'An event, POSTed to each enabled endpoint that takes it',
      description:
        'Verify X-Capd-Signature before trusting the body: split it into t and v1, compute hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint\'s secret as the key, compare it with v1 in constant time, and refuse a t more than 5 minutes from now. Answer 2xx within 10 s; anything else is retried with growing pauses (30 s doubling, at most an hour apart) for 24 h, with the same X-Capd-Delivery, so de-duplicate on it. Redirects are not followed.',
      parameters: [
        { name: 'X-Capd-Event', in: 'header', ...header('The event (as in the body)', 'usage.threshold') },
        { name: 'X-Capd-Delivery', in: 'header', ...header('The delivery id, the same on retries', 'dlv_…') },
        {
          name: 'X-Capd-Signature',
          in: 'header',
          ...header('t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>', 't=1773144000,v1=5f0c…'),
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['id', 'event', 'createdAt', 'data'],
              properties: {
                id: { type: 'string', description: 'The delivery id (X-Capd-Delivery)' },
                event: { type: 'string', enum: [...NOTIFICATION_EVENTS, 'webhook.test'] },
                createdAt: { type: 'string', format: 'date-time', description: 'When the event was decided' },
                subscriberId: { type: 'string' },
                agentId: { type: 'string' },
                data: {
                  type: 'object',
                  description: "The event's facts: bytes as numbers, times as ISO strings",
                  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
                },
              },
            },
          },
        },
      },
      responses: { '2XX': { description: 'Received; any other answer is retried' } },
    },
  },
}
