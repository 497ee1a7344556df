import { defineConfig } from 'vitest/config';

// Four suites:
// - unit: pure functions, no servers
// - integration: real PostgreSQL and real mail/calendar servers (started by test/support/global-setup.ts)
// - embedded: the same service on the embedded PGlite database
// - console: the built admin console in Debian's Chromium against a real server on a real port, with the
//   same servers (test/console/global-setup.ts builds the console first)
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'embedded',
          include: ['test/embedded/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'console',
          include: ['test/console/**/*.test.ts'],
          globalSetup: ['test/console/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
