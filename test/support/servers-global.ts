// Starts the test servers once per vitest run (globalSetup runs in the main process) and tells
// the test workers where they are: a JSON descriptor file named by MAILROOM_TEST_SERVERS, which
// workers inherit from this process's environment.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TEST_SERVERS_ENV, startTestServers, stopTestServers } from './servers.js';

/** For vitest globalSetup: returns the teardown. */
export async function setupServers(): Promise<() => Promise<void>> {
  const started = Date.now();
  const servers = await startTestServers();
  // Inside the run's folder, so stopping the servers also removes the descriptor.
  const descriptor = path.join(servers.tmpDir, 'servers.json');
  await writeFile(descriptor, JSON.stringify(servers, null, 2));
  process.env[TEST_SERVERS_ENV] = descriptor;
  if (process.env.MAILROOM_TEST_VERBOSE === '1') {
    console.log(`test servers ready in ${Date.now() - started} ms (${descriptor})`);
  }
  return async () => {
    delete process.env[TEST_SERVERS_ENV];
    await stopTestServers(servers);
  };
}
