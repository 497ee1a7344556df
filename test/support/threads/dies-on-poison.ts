// The real parse thread, except that a message containing "POISON" kills it: stands in for a
// message that makes the parser run out of memory, among others that parse fine.
import { parentPort } from 'node:worker_threads';
import type { ParseRequest } from '../../../src/sync/incoming/parse-pool.js';

await import('../../../src/sync/incoming/parse-worker.js');
parentPort?.on('message', (request: ParseRequest) => {
  if (Buffer.from(request.raw).includes('POISON')) process.exit(3);
});
