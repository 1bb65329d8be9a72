/** The capd release this agent is. */
export const AGENT_VERSION = '0.2.0'
