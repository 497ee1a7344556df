/**
 * LISTENs for `mailroom_due` notifications (notify.ts) on a connection of its
 * own, outside the pool: a pooled connection is handed to other queries and
 * would stop listening. When the connection drops it reconnects with a
 * growing delay, and after each (re)connection it reports every lane as due,
 * since notifications sent while it was away are lost.
 *
 * Only for PostgreSQL. The embedded database (PGlite) has no separate
 * connection to listen on and serves one process, whose workers find new
 * work at their next poll (every 2 seconds); so no listener is started there.
 */
import type { Logger } from 'pino';
import pg from 'pg';
import { DUE_NOTIFY_CHANNEL, isWorkerLane, WORKER_LANES, type WorkerLane } from './notify.js';
import { reconnectDelayMs } from './idle/backoff.js';

export interface DueListener {
  /** connected and listening right now */
  readonly listening: boolean;
  stop(): Promise<void>;
}

export interface DueListenerOptions {
  readonly databaseUrl: string;
  readonly onDue: (lane: WorkerLane) => void;
  readonly logger?: Logger | undefined;
  /** first reconnection delay; doubles up to 30 s */
  readonly retryBaseMs?: number;
}

export function startDueListener(options: DueListenerOptions): DueListener {
  const logger = options.logger?.child({ component: 'due-listener' });
  let client: pg.Client | undefined;
  let stopped = false;
  let listening = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    const delay = reconnectDelayMs(failures, { baseMs: options.retryBaseMs ?? 1_000, maxMs: 30_000 });
    failures += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
    retryTimer.unref();
  };

  const dropped = (current: pg.Client, error?: unknown) => {
    if (client !== current) return;
    client = undefined;
    listening = false;
    current.removeAllListeners('notification');
    void current.end().catch(() => undefined);
    if (!stopped) {
      logger?.warn({ err: error }, 'lost the notification connection; polling until it is back');
      scheduleReconnect();
    }
  };

  const connect = async () => {
    if (stopped) return;
    const current = new pg.Client({ connectionString: options.databaseUrl });
    client = current;
    // Without a listener an 'error' event would crash the process.
    current.on('error', (error) => dropped(current, error));
    current.on('end', () => dropped(current));
    current.on('notification', (message) => {
      if (message.channel !== DUE_NOTIFY_CHANNEL || !message.payload) return;
      if (isWorkerLane(message.payload)) options.onDue(message.payload);
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${DUE_NOTIFY_CHANNEL}`);
      if (stopped || client !== current) {
        await current.end().catch(() => undefined);
        return;
      }
      listening = true;
      failures = 0;
      // Whatever was notified while nobody listened: look once.
      for (const lane of WORKER_LANES) options.onDue(lane);
    } catch (error) {
      dropped(current, error);
    }
  };

  void connect();
  return {
    get listening() {
      return listening;
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      listening = false;
      if (current) await current.end().catch(() => undefined);
    },
  };
}
