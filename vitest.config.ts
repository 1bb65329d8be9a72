import { defineConfig } from 'vitest/config'

/**
 * One config, one project per workspace package; `pnpm test` runs them all. The packages' own
 * tests run first, two files at a time (vitest would take one fewer than the CPUs: one, on a
 * 2-core machine); the end-to-end tests after them, one file at a time, since they share the
 * machine's namespaces, browsers and ports and time what they see.
 */
const unit = { maxWorkers: 2, testTimeout: 20_000, sequence: { groupOrder: 0 } }

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'protocol', include: ['protocol/src/**/*.test.ts'], ...unit } },
      { test: { name: 'durable', include: ['durable/src/**/*.test.ts'], ...unit } },
      { test: { name: 'log', include: ['log/src/**/*.test.ts'], ...unit } },
      { test: { name: 'cli', include: ['cli/src/**/*.test.ts'], ...unit } },
      { test: { name: 'agent', include: ['agent/src/**/*.test.ts'], ...unit } },
      { test: { name: 'controller', include: ['controller/src/**/*.test.ts'], ...unit } },
      {
        test: {
          name: 'e2e',
          include: ['test/src/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
