/** The SMS channel this controller sends through, built from its environment: a generic HTTP gateway, Twilio, or none. */
import type { Logger } from '@capd/log'
import type { ChannelSender } from '../channel.js'
import { envValue } from './env-values.js'
import { HttpSmsGateway } from './http-gateway.js'
import { HTTP_SMS_ENV, httpGatewayConfig } from './http-gateway-config.js'
import { TWILIO_ENV, twilioConfig } from './twilio-config.js'
import { TwilioSender } from './twilio-sender.js'

export const SMS_PROVIDER_ENV = 'CAPD_SMS_PROVIDER'
export const SMS_PROVIDERS = ['http', 'twilio'] as const

const HTTP_VARS: readonly string[] = Object.values(HTTP_SMS_ENV)
const TWILIO_VARS: readonly string[] = Object.values(TWILIO_ENV)

/**
 * The SMS sender, or undefined when no SMS setting is given (no SMS is sent). Half a configuration
 * — settings without a provider, one provider's settings under another, a missing variable — is an
 * error naming the variable, so the controller refuses to start rather than drop every SMS.
 */
export function buildSmsSender(env: NodeJS.ProcessEnv, logger: Logger): ChannelSender | undefined {
  const provider = envValue(env, SMS_PROVIDER_ENV)
  const given = (names: readonly string[]) => names.filter((name) => envValue(env, name) !== undefined)
  if (!provider) {
    const stray = given([...HTTP_VARS, ...TWILIO_VARS])
    if (stray.length === 0) return undefined
    throw new Error(
      `${stray[0]} is set but ${SMS_PROVIDER_ENV} is not: set it to ${SMS_PROVIDERS.join(' or ')}, or unset CAPD_SMS_* and CAPD_TWILIO_*`,
    )
  }
  if (provider === 'http') {
    refuseOthers(given(TWILIO_VARS), provider)
    return new HttpSmsGateway(httpGatewayConfig(env))
  }
  if (provider === 'twilio') {
    refuseOthers(given(HTTP_VARS), provider)
    return new TwilioSender(twilioConfig(env), { logger })
  }
  throw new Error(
    `${SMS_PROVIDER_ENV} must be ${SMS_PROVIDERS.join(' or ')}, not ${JSON.stringify(provider)}`,
  )
}

/** Another provider's settings are a sign the wrong one was picked. */
function refuseOthers(stray: string[], provider: string): void {
  if (stray.length > 0) {
    throw new Error(
      `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but ${SMS_PROVIDER_ENV} is ${provider}: unset ${stray.length === 1 ? 'it' : 'them'}`,
    )
  }
}
