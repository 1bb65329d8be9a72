/** `capd import`: not in this build yet. */
export async function importCommand(_argv: string[]): Promise<number> {
  console.error('capd import: not available in this build')
  return 2
}
