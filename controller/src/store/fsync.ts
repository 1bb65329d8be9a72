/** fsync helpers: a rename or a new file is only durable once its directory is synced too. */
import { open } from 'node:fs/promises'

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
