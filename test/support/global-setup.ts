// vitest globalSetup for the "integration" project: real PostgreSQL (a
// migrated template database) and the real mail and calendar servers, shared
// with the "console" project when both run.
import { acquireSharedSetup } from './shared-global-setup.js';

export default function globalSetup(): Promise<() => Promise<void>> {
  return acquireSharedSetup();
}
