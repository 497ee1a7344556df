// vitest globalSetup for the "integration" project: real PostgreSQL (a
// migrated template database) and the real mail and calendar servers.
import { prepareTemplateDatabase } from './database.js';
import { setupServers } from './servers-global.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const [dropTemplate, stopServers] = await Promise.all([prepareTemplateDatabase(), setupServers()]);
  return async () => {
    await Promise.all([stopServers(), dropTemplate()]);
  };
}
