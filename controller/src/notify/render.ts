/** Turns a decided notification into the words of one channel's message. */
import type { DomainEnv } from '../domain/env.js'
import type { Channel, Notification } from '../store/entities.js'
import type { Tx } from '../store/store.js'
import type { RenderedMessage } from './channel.js'

export type Renderer = (
  tx: Tx,
  env: DomainEnv,
  notification: Notification,
  channel: Channel,
) => Promise<RenderedMessage>

/** The message of `notification` on `channel`. */
export const renderMessage: Renderer = async (_tx, _env, notification) => {
  const lines = Object.entries(notification.vars).map(([k, v]) => `${k}: ${v}`)
  return { subject: notification.event, text: lines.join('\n') }
}
