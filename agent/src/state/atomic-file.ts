/** Replacing a file crash-safely, shared with the controller (@capd/durable). */
export { fsyncDirectory as syncDir, writeFileAtomic } from '@capd/durable'
