// vitest globalSetup for the "console" project: builds the console (so the tests run what `mailroom start`
// serves), then acquires the real servers and the template database shared with the integration project.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { acquireSharedSetup } from '../support/shared-global-setup.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL('../../console/', import.meta.url));
  await build({ root, configFile: `${root}vite.config.ts`, logLevel: 'warn' });
  return acquireSharedSetup();
}
