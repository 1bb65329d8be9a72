/** `capd migrate`: not in this build yet. */
export async function migrateCommand(_argv: string[]): Promise<number> {
  console.error('capd migrate: not available in this build')
  return 2
}
