/**
 * The metrics this process counts as it works (sync cycles, messages, item
 * failures, lease takeovers, delivery latency, open connections, webhook
 * deliveries), in one registry of this process. Figures that are facts of
 * the database rather than of one process (open alerts, due lag, webhook
 * backlog) are read at scrape time instead: database-metrics.ts.
 *
 * Every metric is process-wide and each worker process counts its own share;
 * Prometheus adds them up across workers. Label values are channel names,
 * outcomes, catalogue codes and profile ids: never addresses, subjects or
 * anything else taken from a message.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SyncChannel } from '../security/sync-requirements.js';

export const processMetrics = new Registry();

let defaultsCollected = false;
/** Node's own figures (memory, event loop lag, CPU), added once, when metrics are first served. */
export function collectProcessDefaults(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processMetrics });
}

const cycleDuration = new Histogram({
  name: 'mailroom_sync_cycle_duration_seconds',
  help: 'Sync cycles and how long they took, by channel and outcome (success, failure, lease_lost, unrecorded)',
  labelNames: ['channel', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  registers: [processMetrics],
});

const messages = new Counter({
  name: 'mailroom_sync_messages_total',
  help: 'Messages and items committed by sync cycles, by channel and outcome',
  labelNames: ['channel', 'outcome'] as const,
  registers: [processMetrics],
});

const itemFailures = new Counter({
  name: 'mailroom_item_failures_total',
  help: 'Item-level failures of incoming sync, by catalogue code and status (failed: will be retried; parked: given up)',
  labelNames: ['code', 'status'] as const,
  registers: [processMetrics],
});

const leaseTakeovers = new Counter({
  name: 'mailroom_lease_takeovers_total',
  help: 'Cycles that started by taking over the expired lease of a worker that died or stalled',
  labelNames: ['channel'] as const,
  registers: [processMetrics],
});

const deliveryLatency = new Histogram({
  name: 'mailroom_delivery_to_activity_seconds',
  help: "Seconds from a message's arrival on the mail server (IMAP INTERNALDATE, 1 s resolution) to the commit of its batch",
  buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
  registers: [processMetrics],
});

const connections = new Gauge({
  name: 'mailroom_connections',
  help: 'Connections this process holds open to mail and calendar servers, by email server profile and protocol (imap-idle: IDLE watchers)',
  labelNames: ['profile_id', 'protocol'] as const,
  registers: [processMetrics],
});

const webhookDeliveries = new Counter({
  name: 'mailroom_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome (delivered, retry, failed, canceled)',
  labelNames: ['outcome'] as const,
  registers: [processMetrics],
});

const bodyDownloads = new Counter({
  name: 'mailroom_imap_body_downloads_total',
  help: 'IMAP body downloads (one UID FETCH each), by reader: mailroom (its own reader on the borrowed connection) or imapflow (the fallback)',
  labelNames: ['reader'] as const,
  registers: [processMetrics],
});

export type CycleOutcomeLabel = 'success' | 'failure' | 'lease_lost' | 'unrecorded';

export function observeCycle(channel: SyncChannel, outcome: CycleOutcomeLabel, seconds: number): void {
  cycleDuration.observe({ channel, outcome }, Math.max(0, seconds));
}

/** The committed counts of a cycle, as the cycle bookkeeping reports them. */
export interface MessageCounts {
  readonly created: number;
  readonly associated: number;
  readonly failed: number;
  readonly parked: number;
  readonly skipped: number;
  readonly notTracked?: number | undefined;
}

const OUTCOME_OF_COUNT: Readonly<Record<keyof MessageCounts, string>> = {
  created: 'created',
  associated: 'associated',
  failed: 'failed',
  parked: 'parked',
  skipped: 'skipped',
  notTracked: 'not_tracked',
};

export function countMessages(channel: SyncChannel, counts: MessageCounts): void {
  for (const [key, outcome] of Object.entries(OUTCOME_OF_COUNT) as [keyof MessageCounts, string][]) {
    const value = counts[key] ?? 0;
    if (value > 0) messages.inc({ channel, outcome }, value);
  }
}

export function countItemFailures(
  rows: readonly { code: string | null; status: string; count: number }[],
): void {
  for (const row of rows) {
    if (row.count > 0) itemFailures.inc({ code: row.code ?? 'unknown', status: row.status }, row.count);
  }
}

export function countLeaseTakeover(channel: SyncChannel): void {
  leaseTakeovers.inc({ channel });
}

/**
 * Records, for each message of a batch that just committed, how long it took
 * from the server's receipt to the commit. Unknown (null) or future times
 * (a server clock ahead of ours) are left out rather than counted as zero.
 */
export function observeDelivered(
  receivedAt: Iterable<Date | null | undefined>,
  committedAt: Date = new Date(),
): void {
  for (const seconds of deliverySeconds(receivedAt, committedAt)) deliveryLatency.observe(seconds);
}

/** The latencies observeDelivered records (pure, for tests). */
export function deliverySeconds(receivedAt: Iterable<Date | null | undefined>, committedAt: Date): number[] {
  const result: number[] = [];
  for (const at of receivedAt) {
    if (!at || Number.isNaN(at.getTime())) continue;
    const ms = committedAt.getTime() - at.getTime();
    if (ms >= 0) result.push(ms / 1000);
  }
  return result;
}

/** `imap-idle`: the connections IMAP IDLE watchers hold open between cycles. */
export type ConnectionProtocol = 'imap' | 'imap-idle' | 'pop3' | 'smtp' | 'dav';

/**
 * Counts an open connection to a profile's server; call the returned function
 * once it is closed. Releasing twice is harmless, so it can sit in a
 * `finally` next to other close paths.
 */
export function trackConnection(profileId: string, protocol: ConnectionProtocol = 'imap'): () => void {
  const labels = { profile_id: profileId, protocol };
  connections.inc(labels);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    connections.dec(labels);
  };
}

/**
 * The session, counted as a connection until its `close()` is called: lets a
 * call site opening a session add tracking without a second statement.
 */
export function trackedSession<T extends { close(): unknown }>(
  profileId: string,
  protocol: ConnectionProtocol,
  session: T,
): T {
  const release = trackConnection(profileId, protocol);
  const close = session.close.bind(session);
  session.close = (() => {
    release();
    return close();
  }) as T['close'];
  return session;
}

/**
 * Which reader downloaded a batch of bodies. The fallback is correct but
 * slower; a rising share of it means compression is in use or imapflow's
 * internals changed (see body-download.ts).
 */
export function countBodyDownload(reader: 'mailroom' | 'imapflow'): void {
  bodyDownloads.inc({ reader });
}

export function countWebhookDelivery(outcome: 'delivered' | 'retry' | 'failed' | 'canceled'): void {
  webhookDeliveries.inc({ outcome });
}
