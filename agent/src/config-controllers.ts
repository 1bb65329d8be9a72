/**
 * Where the agent's controllers are: `controller` (one URL) or `controllers` (several sharing one
 * store, in order of preference). Both name the same thing, so a config gives exactly one of them.
 */
import { z } from 'zod'

/** `ws://host:port` or `wss://…` of a controller; the path is not used (the link dials `/agent/v1/ws`). */
export const ControllerUrl = z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' })

/** The same controller twice would only make a failed round longer and hide a typo for another. */
export const ControllerUrls = z
  .array(ControllerUrl)
  .min(1, 'must list at least one ws:// or wss:// URL')
  .superRefine((urls, ctx) => {
    const seen = new Map<string, number>()
    urls.forEach((url, i) => {
      // A URL that does not parse has its own issue already (zod runs this check anyway).
      if (!URL.canParse(url)) return
      const key = new URL(url).origin
      const first = seen.get(key)
      if (first === undefined) seen.set(key, i)
      else ctx.addIssue({ code: 'custom', path: [i], message: `is ${key} again (as controllers.${first})` })
    })
  })

interface Controllers {
  controller?: string | undefined
  controllers?: readonly string[] | undefined
}

/** The controllers in order of preference, whichever field named them. */
export function controllerUrls(config: Controllers): string[] {
  return config.controllers ? [...config.controllers] : config.controller ? [config.controller] : []
}

/** Exactly one of `controller` and `controllers`: the problem with the pair, if any. */
export function controllersProblem(config: Controllers): { path: string; message: string } | undefined {
  if (config.controller !== undefined && config.controllers !== undefined)
    return {
      path: 'controllers',
      message: 'give either "controller" (one URL) or "controllers" (a list), not both',
    }
  if (config.controller === undefined && config.controllers === undefined)
    return {
      path: 'controller',
      message: 'is required: the ws:// or wss:// URL of the controller (or "controllers": a list of them)',
    }
  return undefined
}

/** A `ws://` URL among the controllers, which `controllerTls` cannot apply to. */
export function plainControllerUrl(config: Controllers): string | undefined {
  return controllerUrls(config).find((url) => URL.canParse(url) && new URL(url).protocol === 'ws:')
}
