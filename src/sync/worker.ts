/**
 * The sync worker: runs what is due, the scheduled Test & Enable requests and
 * the incoming, outgoing and ACT cycles, side by side, watches mailboxes over
 * IMAP IDLE, and stops cleanly on shutdown.
 *
 * Work is found two ways. A notification on `mailroom_due` (notify.ts,
 * PostgreSQL only) wakes the matching lane at once: a Test & Enable that
 * enabled a mailbox, an email queued for sending, new mail seen by IDLE. And
 * every `intervalMs` the worker polls all lanes anyway, which finds work
 * whose due time has come and anything a lost notification missed.
 *
 * Each kind of work has one run in flight at a time. A wake-up for a lane
 * that is running pokes it, so it claims again with its free slots at once
 * rather than when its current cycles end. Stopping claims nothing more,
 * lets running cycles finish the batch in flight (their mailboxes become due
 * at once for the next worker), and waits for them.
 */
import type { Logger } from 'pino';
import type { TestRunner } from '../mailboxes/test-runner.js';
import type { IncomingSync } from './incoming/runner.js';
import type { OutgoingSync } from './outgoing/runner.js';
import type { ActSync } from './act/runner.js';
import { startDueListener, type DueListener } from './due-listener.js';
import type { IdleSupervisor } from './idle/supervisor.js';
import type { WorkerLane } from './notify.js';

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
  /** IMAP IDLE watchers, started and stopped with the worker */
  readonly idle?: IdleSupervisor | undefined;
  /** PostgreSQL to LISTEN on for due work; without it (the embedded database) the worker only polls */
  readonly databaseUrl?: string | undefined;
  /**
   * What else in the process a due notification wakes, by its key, next to
   * the worker's own lanes (`webhooks`: the process's webhook dispatcher)
   */
  readonly alsoWake?: Partial<Record<WorkerLane, () => void>> | undefined;
  /** how often to look for scheduled work */
  readonly intervalMs?: number;
}

interface Lane {
  readonly key: WorkerLane;
  readonly name: string;
  run(): Promise<number>;
  /** a running lane claims again now; lanes without it run once more when they finish */
  poke?(): void;
  inFlight: Promise<void> | undefined;
  again: boolean;
}

export function startSyncWorker(options: SyncWorkerOptions): SyncWorker {
  const logger = options.logger.child({ component: 'sync-worker', workerId: options.workerId });
  let stopped = false;
  const lanes: Lane[] = [
    {
      key: 'test',
      name: 'Test & Enable requests',
      run: () => options.testRunner.runDue(),
      inFlight: undefined,
      again: false,
    },
  ];
  for (const [key, name, runner] of [
    ['incoming', 'incoming cycles', options.incoming],
    ['outgoing', 'outgoing cycles', options.outgoing],
    ['act', 'ACT cycles', options.act],
  ] as const) {
    if (!runner) continue;
    lanes.push({
      key,
      name,
      run: () => runner.runDue(),
      poke: () => runner.poke(),
      inFlight: undefined,
      again: false,
    });
  }
  const { incoming, outgoing, act, idle } = options;

  const wake = (lane: Lane) => {
    if (stopped) return;
    if (lane.inFlight) {
      if (lane.poke) lane.poke();
      else lane.again = true;
      return;
    }
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
        if (lane.again) {
          lane.again = false;
          wake(lane);
        }
      });
  };
  const tick = () => {
    for (const lane of lanes) wake(lane);
  };
  const timer = setInterval(tick, options.intervalMs ?? 2_000);
  tick();
  const listener: DueListener | undefined = options.databaseUrl
    ? startDueListener({
        databaseUrl: options.databaseUrl,
        logger,
        onDue: (key) => {
          const lane = lanes.find((candidate) => candidate.key === key);
          if (lane) wake(lane);
          else options.alsoWake?.[key]?.();
        },
      })
    : undefined;
  idle?.start();
  logger.info('sync worker started');
  return {
    id: options.workerId,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await listener?.stop();
      const idleStopped = idle?.stop();
      incoming?.stop();
      outgoing?.stop();
      act?.stop();
      await Promise.all(lanes.map((lane) => lane.inFlight));
      await Promise.all([
        options.testRunner.idle(),
        incoming?.idle(),
        outgoing?.idle(),
        act?.idle(),
        idleStopped,
      ]);
      logger.info('sync worker stopped');
    },
  };
}
