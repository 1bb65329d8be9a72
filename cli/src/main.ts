/** The `capd` executable: its exit code is the command's, unless the command keeps running. */
import { capd } from './capd.js'

const code = await capd(process.argv.slice(2))
if (code !== undefined) process.exitCode = code
