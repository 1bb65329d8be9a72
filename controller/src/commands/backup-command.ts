/** `capd backup`: not in this build yet. */
export async function backupCommand(_argv: string[]): Promise<number> {
  console.error('capd backup: not available in this build')
  return 2
}
