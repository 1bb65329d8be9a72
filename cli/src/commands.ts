/**
 * The subcommands of `capd`, each loaded only when asked for: `capd agent` on an edge box never
 * loads the controller's code, and the agent's own bundle holds only the agent.
 */

/** Runs one subcommand with the arguments after its name; a number is the exit code; anything else leaves the process running (a server). */
export type CommandRun = (argv: string[]) => Promise<unknown>

export interface Command {
  readonly summary: string
  readonly load: () => Promise<CommandRun>
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  controller: {
    summary: 'serve the operator UI, the customer portal, the API and the agents',
    load: async () => (await import('@capd/controller/commands/controller-command')).controllerCommand,
  },
  agent: {
    summary: 'count and enforce beside one router (--config agent.json)',
    load: async () => (await import('@capd/agent/agent-command')).agentCommand,
  },
  backup: {
    summary: 'copy the store consistently while the controller runs',
    load: async () => (await import('@capd/controller/commands/backup-command')).backupCommand,
  },
  restore: {
    summary: 'check a backup and make a data directory from it',
    load: async () => (await import('@capd/controller/commands/restore-command')).restoreCommand,
  },
  migrate: {
    summary: "upgrade a data directory to this release's store format",
    load: async () => (await import('@capd/controller/commands/migrate-command')).migrateCommand,
  },
  import: {
    summary: 'add or update subscribers from a CSV file (capd, LibreQoS or Splynx)',
    load: async () => (await import('@capd/controller/commands/import-command')).importCommand,
  },
  version: {
    summary: 'print the release, the store format and the Node.js version',
    load: async () => (await import('./version-command.js')).versionCommand,
  },
}
