/** Picks the router driver the config names. */
import type { LoadedConfig } from '../config.js'
import type { RouterDriver } from './driver.js'
import { createSimulatedDriver } from './simulated.js'

export async function createDriver(config: LoadedConfig): Promise<RouterDriver> {
  const router = config.router
  switch (router.kind) {
    case 'simulated':
      return createSimulatedDriver({ bytesPerSecond: router.bytesPerSecond })
    case 'nftables': {
      const { createNftablesDriver } = await import('./nftables/nftables-driver.js')
      return createNftablesDriver(router.netns ? { netns: router.netns } : {})
    }
  }
}
