/** A `!trap` the peer answers with, as RouterOS words it. */
export class PeerTrap extends Error {
  constructor(
    message: string,
    readonly category?: number,
  ) {
    super(message)
  }
}
