/**
 * Figures read from the database when /metrics is scraped: they describe the
 * whole deployment (every worker), so no single process could count them.
 * Each scrape builds them into a fresh registry, so two servers on two
 * databases in one process (tests) never mix their figures.
 *
 * - open alerts by code and level;
 * - per channel, how many channels are due but not started, and the lag of
 *   the one waiting longest (now − its due time; a channel due "at once",
 *   without a due time, counts from the last change of its mailbox);
 * - webhook deliveries waiting, and how late the oldest one is.
 */
import { sql } from 'kysely';
import { Gauge, Registry } from 'prom-client';
import type { Db } from '../db/connection.js';
import { SYNC_CHANNELS, type SyncChannel } from '../security/sync-requirements.js';

export interface DueLag {
  readonly channel: SyncChannel;
  readonly due: number;
  readonly lagSeconds: number;
}

/** Channel names are fixed words, never input: safe to place in SQL. */
function dueLagQuery(channel: SyncChannel) {
  const c = (name: string) => sql.raw(`m.${channel}_${name}`);
  return sql<{ channel: SyncChannel; due: number; lag: number | null }>`
    SELECT ${channel}::text AS channel,
           count(*)::int AS due,
           EXTRACT(EPOCH FROM (now() - min(COALESCE(${c('due_at')}, m.updated_at))))::float8 AS lag
    FROM mailboxes m
    WHERE m.state = 'active'
      AND ${c('enabled')}
      AND ${c('method')} <> 'none'
      AND ${c('status')} <> 'notRun'
      AND (${c('lease_expires_at')} IS NULL OR ${c('lease_expires_at')} <= now())
      AND (${c('due_at')} IS NULL OR ${c('due_at')} <= now())`;
}

export async function dueLags(db: Db): Promise<DueLag[]> {
  const results = await Promise.all(SYNC_CHANNELS.map((channel) => dueLagQuery(channel).execute(db)));
  return results.map((result, index) => {
    const row = result.rows[0];
    return {
      channel: SYNC_CHANNELS[index]!,
      due: Number(row?.due ?? 0),
      lagSeconds: Math.max(0, Number(row?.lag ?? 0)),
    };
  });
}

export async function openAlertCounts(db: Db): Promise<{ code: string; level: string; count: number }[]> {
  const rows = await db
    .selectFrom('alerts')
    .select(['code', 'level', (eb) => eb.fn.countAll<number>().as('count')])
    .where('resolvedAt', 'is', null)
    .groupBy(['code', 'level'])
    .execute();
  return rows.map((row) => ({ code: row.code, level: row.level, count: Number(row.count) }));
}

async function webhookBacklog(db: Db): Promise<{ pending: number; oldestLagSeconds: number }> {
  const row = await sql<{ pending: number; lag: number | null }>`
    SELECT count(*)::int AS pending,
           EXTRACT(EPOCH FROM (now() - min(next_attempt_at)))::float8 AS lag
    FROM webhook_deliveries
    WHERE status = 'pending' AND next_attempt_at <= now()`.execute(db);
  return {
    pending: Number(row.rows[0]?.pending ?? 0),
    oldestLagSeconds: Math.max(0, Number(row.rows[0]?.lag ?? 0)),
  };
}

export async function collectDatabaseMetrics(db: Db): Promise<Registry> {
  const [alerts, lags, backlog] = await Promise.all([openAlertCounts(db), dueLags(db), webhookBacklog(db)]);
  const registry = new Registry();
  const openAlerts = new Gauge({
    name: 'mailroom_open_alerts',
    help: 'Alerts not resolved yet, by code and level',
    labelNames: ['code', 'level'] as const,
    registers: [registry],
  });
  for (const alert of alerts) openAlerts.set({ code: alert.code, level: alert.level }, alert.count);

  const dueChannels = new Gauge({
    name: 'mailroom_sync_due_channels',
    help: 'Mailbox channels that are due but not started (no worker holds them)',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const dueLag = new Gauge({
    name: 'mailroom_sync_due_lag_seconds',
    help: 'How long the longest-waiting due channel has waited for a worker (0 when none waits)',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  for (const lag of lags) {
    dueChannels.set({ channel: lag.channel }, lag.due);
    dueLag.set({ channel: lag.channel }, lag.due > 0 ? lag.lagSeconds : 0);
  }

  new Gauge({
    name: 'mailroom_webhook_pending_deliveries',
    help: 'Webhook deliveries due now and not delivered yet',
    registers: [registry],
  }).set(backlog.pending);
  new Gauge({
    name: 'mailroom_webhook_delivery_lag_seconds',
    help: 'How late the oldest due webhook delivery is',
    registers: [registry],
  }).set(backlog.pending > 0 ? backlog.oldestLagSeconds : 0);
  return registry;
}
