/**
 * The sync worker: wakes up periodically and runs what is due, the scheduled
 * Test & Enable requests and the incoming email cycles, side by side, and
 * stops cleanly on shutdown.
 *
 * Each kind of work has one run in flight at a time: a tick that finds the
 * previous run still going leaves it alone (the runners claim more work as
 * their slots free up, so a slow mailbox does not need a second run). Stopping
 * claims nothing more, lets running cycles finish the batch in flight (their
 * mailboxes become due at once for the next worker), and waits for them.
 */
import type { Logger } from 'pino';
import type { TestRunner } from '../mailboxes/test-runner.js';
import type { IncomingSync } from './incoming/runner.js';
import type { OutgoingSync } from './outgoing/runner.js';
import type { ActSync } from './act/runner.js';

export interface SyncWorker {
  readonly id: string;
  stop(): Promise<void>;
}

export interface SyncWorkerOptions {
  readonly logger: Logger;
  readonly workerId: string;
  readonly testRunner: TestRunner;
  /** incoming email cycles; without it this worker runs Test & Enable only */
  readonly incoming?: IncomingSync | undefined;
  /** outgoing email cycles (sending Pending Send email) */
  readonly outgoing?: OutgoingSync | undefined;
  /** appointments, contacts and tasks cycles (CalDAV/CardDAV) */
  readonly act?: ActSync | undefined;
  /** how often to look for scheduled work */
  readonly intervalMs?: number;
}

interface Lane {
  readonly name: string;
  run(): Promise<number>;
  inFlight: Promise<void> | undefined;
}

export function startSyncWorker(options: SyncWorkerOptions): SyncWorker {
  const logger = options.logger.child({ component: 'sync-worker', workerId: options.workerId });
  let stopped = false;
  const lanes: Lane[] = [
    { name: 'Test & Enable requests', run: () => options.testRunner.runDue(), inFlight: undefined },
  ];
  const { incoming } = options;
  if (incoming) lanes.push({ name: 'incoming cycles', run: () => incoming.runDue(), inFlight: undefined });
  const { outgoing } = options;
  if (outgoing) lanes.push({ name: 'outgoing cycles', run: () => outgoing.runDue(), inFlight: undefined });
  const { act } = options;
  if (act) lanes.push({ name: 'ACT cycles', run: () => act.runDue(), inFlight: undefined });

  const tick = () => {
    if (stopped) return;
    for (const lane of lanes) {
      if (lane.inFlight) continue;
      lane.inFlight = lane
        .run()
        .then((ran) => {
          if (ran > 0) logger.info({ ran }, `ran ${lane.name}`);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, `${lane.name} failed`);
        })
        .finally(() => {
          lane.inFlight = undefined;
        });
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? 2_000);
  tick();
  logger.info('sync worker started');
  return {
    id: options.workerId,
    async stop() {
      stopped = true;
      clearInterval(timer);
      incoming?.stop();
      outgoing?.stop();
      act?.stop();
      await Promise.all(lanes.map((lane) => lane.inFlight));
      await Promise.all([options.testRunner.idle(), incoming?.idle(), outgoing?.idle(), act?.idle()]);
      logger.info('sync worker stopped');
    },
  };
}
