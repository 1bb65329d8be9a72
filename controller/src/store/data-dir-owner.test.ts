/** Root refused in a data dir that belongs to another user; let through in its own, and nobody else is checked. */
import { chown, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DataDirOwnerError, refuseRootInOthersDir } from './data-dir-owner.js'

const asRoot = process.getuid?.() === 0
const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A dir that belongs to `uid` (root hands it over; anyone else gets their own). */
async function dirOwnedBy(uid: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'capd-owner-'))
  dirs.push(dir)
  if (asRoot) await chown(dir, uid, uid)
  return dir
}

async function refusal(dir: string): Promise<DataDirOwnerError> {
  const err = await refuseRootInOthersDir(dir, 0).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(DataDirOwnerError)
  return err as DataDirOwnerError
}

describe('refuseRootInOthersDir', () => {
  it('refuses root in a dir of a named user, and says how to run as that user', async () => {
    // nobody (65534) as root; otherwise this test's own user, which is not root either.
    const dir = await dirOwnedBy(65534)
    const { uid } = await stat(dir)
    const err = await refusal(dir)
    expect(err.message).toContain(`${dir} belongs to user `)
    expect(err.message).toContain(`(uid ${uid}), and this runs as root`)
    expect(err.message).toMatch(
      new RegExp(`Nothing was written; run it as the data dir's owner: sudo -u ${err.sudoUser} …$`),
    )
    expect(err.withCommand('capd migrate --data /x')).toMatch(
      new RegExp(
        `Nothing was written; run it as the data dir's owner: sudo -u ${err.sudoUser} capd migrate --data /x$`,
      ),
    )
    expect(err.sudoUser).not.toMatch(/^#/)
  })

  it.skipIf(!asRoot)('names a uid /etc/passwd does not know by number, as sudo takes it', async () => {
    const dir = await dirOwnedBy(54_321 + Math.floor(Math.random() * 1000))
    const { uid } = await stat(dir)
    const err = await refusal(dir)
    expect(err.message).toContain(`belongs to uid ${uid},`)
    expect(err.withCommand('capd restore f --data d')).toMatch(
      new RegExp(`: sudo -u '#${uid}' capd restore f --data d$`),
    )
  })

  it("lets root write in root's own dir, and checks nobody but root", async () => {
    await expect(refuseRootInOthersDir('/', 0)).resolves.toBeUndefined()
    const dir = await dirOwnedBy(65534)
    await expect(refuseRootInOthersDir(dir, 1000)).resolves.toBeUndefined()
    await expect(refuseRootInOthersDir(dir, 65534)).resolves.toBeUndefined()
  })
})
