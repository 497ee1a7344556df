// The real servers and the migrated template database, started once per vitest process however many
// projects (integration, console) ask for them: each project's globalSetup acquires them, and the last
// teardown stops them. Global setups of several projects run in the same main process, one after the
// other, and may load this module separately, so the shared state lives on globalThis.
import { prepareTemplateDatabase } from './database.js';
import { setupServers } from './servers-global.js';

interface Shared {
  holders: number;
  readonly ready: Promise<() => Promise<void>>;
}

const KEY = '__mailroomSharedTestSetup';
type WithShared = typeof globalThis & { [KEY]?: Shared };

async function start(): Promise<() => Promise<void>> {
  const [dropTemplate, stopServers] = await Promise.all([prepareTemplateDatabase(), setupServers()]);
  return async () => {
    await Promise.all([stopServers(), dropTemplate()]);
  };
}

/** For a vitest globalSetup: returns its teardown. */
export async function acquireSharedSetup(): Promise<() => Promise<void>> {
  const global = globalThis as WithShared;
  const shared = global[KEY] ?? { holders: 0, ready: start() };
  global[KEY] = shared;
  shared.holders += 1;
  const stop = await shared.ready;
  return async () => {
    shared.holders -= 1;
    if (shared.holders > 0) return;
    delete global[KEY];
    await stop();
  };
}
