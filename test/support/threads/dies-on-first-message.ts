// A parse thread that loads, says so, and dies on the first message it gets:
// stands in for a thread killed by a pathological message (out of memory).
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage({ ready: true });
parentPort?.on('message', () => process.exit(3));
