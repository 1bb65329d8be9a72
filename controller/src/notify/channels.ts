/**
 * The notification channels this controller sends on, built from its environment at start-up.
 * A channel is a ChannelSender plus, when it needs settings, a config module read here.
 */
import type { Logger } from '@capd/log'
import type { ChannelSender } from './channel.js'
import { emailConfigFromEnv, redactSmtpUrl } from './email-config.js'
import { EmailSender } from './email-sender.js'
import { buildSmsSender } from './sms/sms-sender.js'

export interface Channels {
  senders: ChannelSender[]
  /** The customer channels configured: notifications queue messages only on these (DomainEnv.channels). */
  channels: Set<'email' | 'sms'>
}

/**
 * Every channel whose settings are present; throws (the controller then refuses to start) when a
 * channel's settings are half given or malformed. Never logs a secret.
 */
export function buildChannels(env: NodeJS.ProcessEnv, logger: Logger): Channels {
  const senders: ChannelSender[] = []
  const channels = new Set<'email' | 'sms'>()
  // One step per channel configured from the environment.
  const email = emailConfigFromEnv(env)
  if (email) {
    senders.push(new EmailSender(email))
    channels.add('email')
    logger.info(
      { smtp: redactSmtpUrl(email.smtpUrl), from: email.from },
      `e-mail notifications through ${redactSmtpUrl(email.smtpUrl)}`,
    )
  }
  const sms = buildSmsSender(env, logger.child({ component: 'sms' }))
  if (sms) {
    senders.push(sms)
    channels.add('sms')
  }
  return { senders, channels }
}
