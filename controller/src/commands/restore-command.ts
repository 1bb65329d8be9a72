/** `capd restore`: not in this build yet. */
export async function restoreCommand(_argv: string[]): Promise<number> {
  console.error('capd restore: not available in this build')
  return 2
}
