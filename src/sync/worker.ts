/**
 * The sync worker's process lifecycle: it starts with the process, wakes up
 * periodically and stops cleanly on shutdown. The scheduler that claims due
 * mailboxes and the connectors that do the work plug into `runCycle`; until
 * they exist, a cycle only reports how many mailbox channels are waiting.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';

export interface SyncWorker {
  readonly id: string;
  stop(): Promise<void>;
}

export interface SyncWorkerOptions {
  readonly db: Db;
  readonly logger: Logger;
  readonly workerId: string;
  readonly intervalMs?: number;
}

async function runCycle(db: Db, logger: Logger): Promise<void> {
  const waiting = await db
    .selectFrom('mailboxes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('state', '=', 'active')
    .where((eb) =>
      eb.or([
        eb.and([eb('incomingMethod', '!=', 'none'), eb('incomingEnabled', '=', true)]),
        eb.and([eb('outgoingMethod', '!=', 'none'), eb('outgoingEnabled', '=', true)]),
        eb.and([eb('actMethod', '!=', 'none'), eb('actEnabled', '=', true)]),
      ]),
    )
    .executeTakeFirst();
  logger.debug({ mailboxes: Number(waiting?.count ?? 0) }, 'sync cycle: no connectors are installed yet');
}

export function startSyncWorker(options: SyncWorkerOptions): SyncWorker {
  const logger = options.logger.child({ component: 'sync-worker', workerId: options.workerId });
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = runCycle(options.db, logger).catch((error: unknown) => {
      logger.error({ err: error }, 'sync cycle failed');
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? 30_000);
  tick();
  logger.info('sync worker started');
  return {
    id: options.workerId,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      logger.info('sync worker stopped');
    },
  };
}
