/** The controller's command line, parsed into one validated config with clear errors. */
import { parseArgs } from 'node:util'
import { LOG_LEVELS } from '@capd/log'
import { CurrencyCode, ListenAddress, TimeZone } from '@capd/protocol'
import { z } from 'zod'
import { DEFAULT_RETENTION_DAYS } from './domain/retention.js'
import { DEFAULT_AGENT_OFFLINE_MINUTES } from './notify/agent-watch.js'

export const USAGE = `Usage: capd controller [options]   (from the source tree: pnpm controller)

  --port N          TCP port for the UI, API and agents (default 8080; 0 picks a free one)
  --host ADDR       address to listen on (default 0.0.0.0)
  --data DIR        data directory for the embedded store (default ./data)
  --db URL          postgres://user:pass@host:5432/capd selects PostgreSQL instead of --data
                    (env CAPD_DATABASE_URL); several controllers may share one database
  --tz ZONE         IANA time zone billing periods follow (default: the system zone)
  --currency CODE   ISO 4217 currency every price is in (default USD); fixed by the store's
                    first start
  --retention-days N
                    forget audit rows and the usage marks of agent journals idle longer than
                    this (30–3650, default 400)
  --client-address-header NAME
                    behind a reverse proxy: the header each proxy appends the client's address
                    to, e.g. X-Forwarded-For (used to throttle logins per client)
  --trusted-proxy-hops N
                    how many proxies in front of capd append to that header (default 1): the
                    client is the Nth entry from the end; entries before it are not believed
  --tls-cert FILE, --tls-key FILE
                    serve HTTPS (and wss:// to agents) with this PEM certificate (chain) and
                    its private key, both or neither; SIGHUP reads them again (a renewal).
                    Behind a TLS-terminating proxy, leave them out (see the README)
  --public-url URL  the URL customers and payment providers reach this controller at, e.g.
                    https://isp.example.net (return and callback URLs; default: return
                    URLs follow each request, and providers that call back are not offered)
  --agent-offline-minutes N
                    alert staff when an agent has had no connection for longer than N
                    minutes (0–10080, default 10; 0 = never)
  --snapshot-after-log-bytes N
                    snapshot the store once its log passes N bytes (default: once it
                    passes 4 MiB and the last snapshot's size); small N = frequent snapshots
  --metrics-listen HOST:PORT
                    serve Prometheus metrics at http://HOST:PORT/metrics, apart from the
                    app's port (e.g. 127.0.0.1:9469; default: no metrics listener)
  --log-level LEVEL fatal, error, warn, info (default), debug, trace or silent; logs go to
                    stdout: readable text on a terminal, JSON lines otherwise
  -h, --help        this text

Environment:
  CAPD_BOOTSTRAP_TOKEN   on a store with no admin token, create one with this value
  CAPD_ADMIN_PASSWORD    on a store with no admin user, create user "admin" with this password
  CAPD_LOG_LEVEL         the log level when --log-level is not given
  CAPD_LOG_FORMAT        json or pretty: the log format whatever stdout is
  CAPD_PUBLIC_URL        the public URL when --public-url is not given
  CAPD_STRIPE_SECRET_KEY card payments through Stripe Checkout: the secret key (sk_… or rk_…),
                         or file:///path to a file holding it; needs the webhook secret too
  CAPD_STRIPE_WEBHOOK_SECRET
                         the signing secret (whsec_…) of the endpoint <public URL>/webhooks/stripe
  CAPD_STRIPE_API_URL    another base URL for Stripe's API (a test server), e.g. http://127.0.0.1:12111
  CAPD_MPESA_CONSUMER_KEY, CAPD_MPESA_CONSUMER_SECRET, CAPD_MPESA_SHORTCODE, CAPD_MPESA_PASSKEY,
  CAPD_MPESA_API_URL     M-Pesa STK Push (all five, or none; needs --currency KES and --public-url)
  CAPD_MPESA_TRANSACTION_TYPE, CAPD_MPESA_TILL_NUMBER
                         optional: CustomerBuyGoodsOnline and the till that receives
  CAPD_SMTP_URL          e-mail notifications through this SMTP relay: smtp://user:pass@host:587
                         (STARTTLS when the relay offers it) or smtps://user:pass@host:465 (TLS);
                         nodemailer's options may follow, e.g. ?tls.rejectUnauthorized=false for a
                         self-signed relay; or file:///path to a file holding the URL; needs
                         CAPD_MAIL_FROM too
  CAPD_MAIL_FROM         the sender of those e-mails, e.g. "Acme ISP <noc@acme.example>"
  CAPD_SMS_PROVIDER      http or twilio: send SMS alerts through a generic HTTP gateway or Twilio
  CAPD_SMS_URL, CAPD_SMS_METHOD, CAPD_SMS_BODY, CAPD_SMS_CONTENT_TYPE, CAPD_SMS_AUTH_HEADER,
  CAPD_SMS_FROM, CAPD_SMS_SUCCESS_PATTERN
                         the HTTP gateway's request ({{to}}, {{text}}, {{from}} placeholders)
  CAPD_TWILIO_ACCOUNT_SID, CAPD_TWILIO_AUTH_TOKEN (or CAPD_TWILIO_API_KEY_SID and
  CAPD_TWILIO_API_KEY_SECRET), CAPD_TWILIO_FROM or CAPD_TWILIO_MESSAGING_SERVICE_SID
                         Twilio; CAPD_TWILIO_API_URL points at another base URL (a test server)`

export const ControllerConfig = z
  .strictObject({
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    data: z.string().min(1).default('./data'),
    db: z.string().optional(),
    tz: TimeZone.default(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
    currency: CurrencyCode.default('USD'),
    'retention-days': z.coerce
      .number({ error: 'must be a whole number of days' })
      .int({ error: 'must be a whole number of days' })
      .min(30, { error: 'must be from 30 to 3650 days' })
      .max(3650, { error: 'must be from 30 to 3650 days' })
      .default(DEFAULT_RETENTION_DAYS),
    'client-address-header': z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name')
      .optional(),
    'trusted-proxy-hops': z.coerce.number().int().min(1).max(10).default(1),
    'snapshot-after-log-bytes': z.coerce.number().int().min(1).optional(),
    'agent-offline-minutes': z.coerce
      .number({ error: 'must be a whole number of minutes' })
      .int({ error: 'must be a whole number of minutes' })
      .min(0, { error: 'must be from 0 to 10080 minutes' })
      .max(10080, { error: 'must be from 0 to 10080 minutes' })
      .default(DEFAULT_AGENT_OFFLINE_MINUTES),
    'public-url': z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://isp.example.net' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    'tls-cert': z.string().min(1).optional(),
    'tls-key': z.string().min(1).optional(),
    'metrics-listen': ListenAddress.optional(),
    'log-level': z.enum(LOG_LEVELS).default('info'),
    help: z.boolean().default(false),
  })
  .refine((c) => (c['tls-cert'] === undefined) === (c['tls-key'] === undefined), {
    path: ['tls-cert'],
    error: 'goes with --tls-key: give both (HTTPS) or neither (plain HTTP)',
  })
export type ControllerConfig = z.infer<typeof ControllerConfig>

/** `env` gives CAPD_LOG_LEVEL, which --log-level overrides. */
export function parseControllerArgs(argv: string[], env: NodeJS.ProcessEnv = {}): ControllerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      db: { type: 'string' },
      tz: { type: 'string' },
      currency: { type: 'string' },
      'retention-days': { type: 'string' },
      'client-address-header': { type: 'string' },
      'trusted-proxy-hops': { type: 'string' },
      'snapshot-after-log-bytes': { type: 'string' },
      'agent-offline-minutes': { type: 'string' },
      'public-url': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'metrics-listen': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  const logLevel = values['log-level'] ?? env.CAPD_LOG_LEVEL
  const publicUrl = values['public-url'] ?? env.CAPD_PUBLIC_URL
  const db = values.db ?? (env.CAPD_DATABASE_URL || undefined)
  const result = ControllerConfig.safeParse({
    ...values,
    ...(db === undefined ? {} : { db }),
    ...(logLevel === undefined ? {} : { 'log-level': logLevel }),
    ...(publicUrl === undefined ? {} : { 'public-url': publicUrl }),
  })
  if (!result.success) {
    const issue = result.error.issues[0]!
    throw new Error(`--${issue.path.join('.')}: ${issue.message}`)
  }
  return result.data
}
