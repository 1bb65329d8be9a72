/** `capd version`: what this release is, so an operator can say it in a report. */
import { AGENT_VERSION } from '@capd/agent/version'
import { DATA_FORMAT, DATA_VERSION } from '@capd/controller/store-format'
import { CAPD_VERSION } from '@capd/controller/version'

export async function versionCommand(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    console.error(`capd version: takes no arguments (got ${argv.join(' ')})`)
    return 2
  }
  console.log(`capd ${CAPD_VERSION}`)
  console.log(`agent ${AGENT_VERSION}`)
  console.log(`store format ${DATA_FORMAT} version ${DATA_VERSION}`)
  console.log(`node ${process.versions.node}`)
  return 0
}
