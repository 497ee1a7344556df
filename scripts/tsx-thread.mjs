// Starts a TypeScript module as a worker thread when Mailroom runs from its sources (tests,
// benchmarks, `node --import tsx`): `--import tsx` does not reach worker threads, so this
// registers tsx inside the thread, then loads the module named in workerData.script.
// Built code (dist/) starts its compiled .js modules directly and never uses this.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.script);
