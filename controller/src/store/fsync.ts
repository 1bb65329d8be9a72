/** fsync helpers: a rename or a new file is only durable once its directory is synced too (@capd/durable). */
export { fsyncDirectory } from '@capd/durable'
