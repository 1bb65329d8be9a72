import { defineConfig } from 'vitest/config'

/** One config, one project per workspace package; `pnpm test` runs them all. */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'protocol', include: ['protocol/src/**/*.test.ts'] } },
      { test: { name: 'durable', include: ['durable/src/**/*.test.ts'] } },
      { test: { name: 'log', include: ['log/src/**/*.test.ts'] } },
      { test: { name: 'cli', include: ['cli/src/**/*.test.ts'] } },
      { test: { name: 'agent', include: ['agent/src/**/*.test.ts'] } },
      { test: { name: 'controller', include: ['controller/src/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['test/src/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
