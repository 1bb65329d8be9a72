/** `capd import subscribers FILE.csv`: add or update subscribers from a capd, LibreQoS or Splynx CSV file. */
import { IMPORT_USAGE, type ImportArgs, parseImportArgs } from '../import/import-args.js'
import { EXIT, runImport } from '../import/run-import.js'

export async function importCommand(argv: string[]): Promise<number> {
  let args: ImportArgs
  try {
    args = parseImportArgs(argv, process.env)
  } catch (err) {
    console.error(`capd import: ${(err as Error).message}\n\n${IMPORT_USAGE}`)
    return EXIT.usage
  }
  if (args.help) {
    console.log(IMPORT_USAGE)
    return EXIT.ok
  }
  return runImport(args, { out: (line) => console.log(line), err: (line) => console.error(line) })
}
