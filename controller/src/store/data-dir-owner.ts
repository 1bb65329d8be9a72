/**
 * Root must not write into a data dir that belongs to the service user: what it wrote there would
 * be root's (mode 0600), and the controller, running as that user, would then stop on EACCES.
 * Checked where every writer of a data dir starts (taking its lock): the controller, `capd
 * migrate`, `capd restore`. A dir that is root's own (or a new one root makes) is root's to write.
 */
import { readFile, stat } from 'node:fs/promises'

export class DataDirOwnerError extends Error {
  override readonly name = 'DataDirOwnerError'
  /** The owner as sudo's -u takes it: a name, or `#uid` for a uid with no name. */
  readonly sudoUser: string
  /** What is wrong, without the advice (commands add their own command line to it). */
  readonly reason: string

  constructor(
    readonly dir: string,
    owner: { uid: number; name: string | undefined },
  ) {
    const who = owner.name ? `user ${owner.name} (uid ${owner.uid})` : `uid ${owner.uid}`
    const reason =
      `${dir} belongs to ${who}, and this runs as root: the files it wrote there would belong to ` +
      'root, and a controller running as their owner could not open them. Nothing was written'
    const sudoUser = owner.name ?? `#${owner.uid}`
    super(`${reason}${advice(sudoUser, '…')}`)
    this.reason = reason
    this.sudoUser = sudoUser
  }

  /** The reason and what to run instead: `commandLine` as the data dir's owner. */
  withCommand(commandLine: string): string {
    return `${this.reason}${advice(this.sudoUser, commandLine)}`
  }
}

function advice(sudoUser: string, commandLine: string): string {
  const user = /^[\w.-]+$/.test(sudoUser) ? sudoUser : `'${sudoUser}'`
  return `; run it as the data dir's owner: sudo -u ${user} ${commandLine}`
}

/**
 * Throws DataDirOwnerError when this process runs as root and `dir` (which exists) belongs to
 * another user. `runningUid` is this process's, except in tests.
 */
export async function refuseRootInOthersDir(
  dir: string,
  runningUid: number | undefined = process.getuid?.(),
): Promise<void> {
  if (runningUid !== 0) return
  const { uid } = await stat(dir)
  if (uid === 0) return
  throw new DataDirOwnerError(dir, { uid, name: await userName(uid) })
}

/** The name /etc/passwd gives `uid`, if any (the owner of /var/lib/capd is a system user there). */
async function userName(uid: number): Promise<string | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '')
  for (const line of passwd.split('\n')) {
    const [name, , id] = line.split(':')
    if (name && id === String(uid)) return name
  }
  return undefined
}
