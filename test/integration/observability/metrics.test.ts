/**
 * /metrics against real Dovecot and PostgreSQL: the endpoint's access rule,
 * the Prometheus text format, counters moved by real incoming cycles, and
 * the figures read from the database at scrape time (open alerts, due lag).
 * Also: every log line of a cycle names its mailbox, channel and cycle.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../../src/api/metrics-route.js';
import { buildServer } from '../../../src/api/server.js';
import { loggerOptions } from '../../../src/observability/logging.js';
import { processMetrics } from '../../../src/observability/metrics.js';
import { deliverMail } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * A strict reader of the Prometheus text format (version 0.0.4): every line
 * is a HELP, a TYPE or a sample of a declared family; anything else throws.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleLine = new RegExp(`^(${name})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
  const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = new RegExp(`^# HELP (${name}) .*$`).exec(line);
    if (help) continue;
    const type = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const match = sampleLine.exec(line);
    if (!match) throw new Error(`not a Prometheus text line: ${line}`);
    const [, metric, labelText, valueText] = match;
    const family = [...types.keys()].find(
      (declared) =>
        metric === declared || /^(_bucket|_sum|_count|_total|_created)$/.test(metric!.slice(declared.length)),
    );
    if (!family) throw new Error(`sample of an undeclared metric: ${line}`);
    const labels: Record<string, string> = {};
    if (labelText) {
      labelPair.lastIndex = 0;
      while (labelPair.lastIndex < labelText.length) {
        const pair = labelPair.exec(labelText);
        if (!pair) throw new Error(`bad labels: ${line}`);
        labels[pair[1]!] = pair[2]!;
      }
    }
    // Prometheus reads values with Go's ParseFloat, which takes NaN in any case (prom-client writes "Nan").
    const value = /^nan$/i.test(valueText!)
      ? NaN
      : valueText === '+Inf'
        ? Infinity
        : valueText === '-Inf'
          ? -Infinity
          : Number(valueText);
    if (Number.isNaN(value) && !/^nan$/i.test(valueText!)) throw new Error(`bad value: ${line}`);
    samples.push({ name: metric!, labels, value });
  }
  return { types, samples };
}

function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  );
  return found.reduce((sum, sample) => sum + sample.value, 0);
}

describe('/metrics', () => {
  let f: SyncFixture;
  let app: FastifyInstance;
  let closed: FastifyInstance;

  beforeAll(async () => {
    f = await createSyncFixture();
    const base = {
      db: f.t.database.db,
      databaseKind: 'postgres' as const,
      secrets: f.t.secrets,
      version: 'test',
    };
    app = await buildServer({ ...base, metricsToken: TOKEN });
    closed = await buildServer(base);
  });
  afterAll(async () => {
    await app?.close();
    await closed?.close();
    await f?.close();
  });

  async function scrape(): Promise<Sample[]> {
    const res = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(res.body).samples;
  }

  it('is off without a configured token and refuses any other credential', async () => {
    const off = await closed.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(off.statusCode).toBe(404);
    expect(off.json()).toMatchObject({ code: 'MR_ERR_METRICS_DISABLED' });

    const anonymous = await app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    // An API token, even the administrator's, does not open it.
    const apiToken = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${f.t.adminToken}` },
    });
    expect(apiToken.statusCode).toBe(401);
  });

  it('is served alone on its own port for worker processes, over real HTTP', async () => {
    const server = await startMetricsServer({
      db: f.t.database.db,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(parseExposition(await ok.text()).types.get('mailroom_open_alerts')).toBe('gauge');
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      // Nothing else is served there.
      const api = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${f.t.adminToken}` } });
      expect(api.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('serves valid Prometheus text with every documented family', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const { types } = parseExposition(res.body);
    expect(Object.fromEntries([...types].filter(([family]) => family.startsWith('mailroom_')))).toMatchObject(
      {
        mailroom_sync_cycle_duration_seconds: 'histogram',
        mailroom_sync_messages_total: 'counter',
        mailroom_item_failures_total: 'counter',
        mailroom_lease_takeovers_total: 'counter',
        mailroom_delivery_to_activity_seconds: 'histogram',
        mailroom_connections: 'gauge',
        mailroom_open_alerts: 'gauge',
        mailroom_sync_due_channels: 'gauge',
        mailroom_sync_due_lag_seconds: 'gauge',
        mailroom_webhook_pending_deliveries: 'gauge',
        mailroom_metrics_database_up: 'gauge',
      },
    );
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
  });

  it('counts cycles, messages, item failures, takeovers and delivery latency of real cycles', async () => {
    const ann = await f.userWithMailbox('Ann Metrics', ['Salesperson']);
    await deliver({ from: 'a@ext.test', to: ann.account.email, subject: 'Counted 1' });
    await deliver({ from: 'b@ext.test', to: ann.account.email, subject: 'Counted 2' });
    await deliverMail('Received: from nowhere\r\n\r\nnot an email\r\n', ann.account.email);
    // The last holder of the lease died: this cycle takes it over.
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingLeaseOwner: 'dead-worker', incomingLeaseExpiresAt: new Date(Date.now() - 60_000) })
      .where('id', '=', ann.mailboxId)
      .execute();

    const before = await scrape();
    // While the cycle writes, its IMAP connection to the profile's server is counted.
    const connectionsDuringCycle: number[] = [];
    const outcome = await f
      .incoming({
        hooks: {
          afterMessage: async () => {
            const gauge = await processMetrics.getSingleMetric('mailroom_connections')?.get();
            connectionsDuringCycle.push(
              gauge?.values.find((v) => v.labels.profile_id === f.profileId && v.labels.protocol === 'imap')
                ?.value ?? 0,
            );
          },
        },
      })
      .runMailbox(ann.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { created: 2, parked: 1 } });
    expect(connectionsDuringCycle.length).toBeGreaterThan(0);
    expect(connectionsDuringCycle.every((count) => count === 1)).toBe(true);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(
      delta('mailroom_sync_cycle_duration_seconds_count', { channel: 'incoming', outcome: 'success' }),
    ).toBe(1);
    expect(
      delta('mailroom_sync_cycle_duration_seconds_sum', { channel: 'incoming', outcome: 'success' }),
    ).toBeGreaterThan(0);
    expect(delta('mailroom_sync_messages_total', { channel: 'incoming', outcome: 'created' })).toBe(2);
    expect(delta('mailroom_sync_messages_total', { channel: 'incoming', outcome: 'parked' })).toBe(1);
    expect(
      delta('mailroom_item_failures_total', { code: 'MailroomMalformedMessage', status: 'parked' }),
    ).toBe(1);
    expect(delta('mailroom_lease_takeovers_total', { channel: 'incoming' })).toBe(1);
    // Three messages of the batch were emails or not; the two parsed ones have a receipt time.
    expect(delta('mailroom_delivery_to_activity_seconds_count')).toBeGreaterThanOrEqual(2);
    // The cycle closed its IMAP connection.
    expect(valueOf(after, 'mailroom_connections', { profile_id: f.profileId, protocol: 'imap' })).toBe(0);
  });

  it('counts a failed cycle and shows its open alert by code, until it is resolved', async () => {
    const bob = await f.userWithMailbox('Bob Metrics', ['Salesperson']);
    await f.patch(`/api/mailboxes/${bob.mailboxId}`, { password: 'not-the-password' });
    const before = await scrape();
    const outcome = await f.incoming().runMailbox(bob.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'failure' });
    const code = (outcome as { code: string }).code;
    const after = await scrape();
    expect(
      valueOf(after, 'mailroom_sync_cycle_duration_seconds_count', {
        channel: 'incoming',
        outcome: 'failure',
      }) -
        valueOf(before, 'mailroom_sync_cycle_duration_seconds_count', {
          channel: 'incoming',
          outcome: 'failure',
        }),
    ).toBe(1);
    const open = await f.t.database.db
      .selectFrom('alerts')
      .select(['code', 'level'])
      .where('resolvedAt', 'is', null)
      .where('code', '=', code)
      .execute();
    expect(open.length).toBeGreaterThan(0);
    expect(valueOf(after, 'mailroom_open_alerts', { code, level: open[0]!.level })).toBe(open.length);

    await f.t.database.db
      .updateTable('alerts')
      .set({ resolvedAt: new Date() })
      .where('code', '=', code)
      .execute();
    expect(valueOf(await scrape(), 'mailroom_open_alerts', { code })).toBe(0);
  });

  it('shows how long due channels have waited for a worker', async () => {
    const cat = await f.userWithMailbox('Cat Waiting', ['Salesperson']);
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingDueAt: new Date(Date.now() - 120_000) })
      .where('id', '=', cat.mailboxId)
      .execute();
    const samples = await scrape();
    expect(valueOf(samples, 'mailroom_sync_due_channels', { channel: 'incoming' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'mailroom_sync_due_lag_seconds', { channel: 'incoming' })).toBeGreaterThanOrEqual(
      119,
    );

    // Claimed by a worker: no longer waiting.
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingDueAt: new Date(Date.now() + 3_600_000) })
      .execute();
    const later = await scrape();
    expect(valueOf(later, 'mailroom_sync_due_channels', { channel: 'incoming' })).toBe(0);
    expect(valueOf(later, 'mailroom_sync_due_lag_seconds', { channel: 'incoming' })).toBe(0);
  });
});

describe('cycle logs', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('name the mailbox, channel and cycle on every line of a cycle, and carry no credentials or subjects', async () => {
    const chunks: string[] = [];
    const logger = pino(
      loggerOptions('debug'),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const dan = await f.userWithMailbox('Dan Logs', ['Salesperson']);
    await deliver({ from: 'c@ext.test', to: dan.account.email, subject: 'Confidential merger' });
    await deliverMail('Received: from nowhere\r\n\r\nnot an email\r\n', dan.account.email);
    const sync = f.incoming({ logger });
    await sync.runMailbox(dan.mailboxId);
    await sync.runMailbox(dan.mailboxId);

    const lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const cycleLines = lines.filter((line) => line.mailboxId === dan.mailboxId);
    expect(cycleLines.length).toBeGreaterThanOrEqual(2);
    for (const line of cycleLines) {
      expect(line, JSON.stringify(line)).toMatchObject({ channel: 'incoming', cycleId: expect.any(String) });
    }
    // One id per cycle.
    expect(new Set(cycleLines.map((line) => line.cycleId)).size).toBe(2);
    expect(cycleLines.find((line) => line.msg === 'incoming cycle done')).toMatchObject({
      outcome: 'success',
      created: 1,
      parked: 1,
    });
    const text = chunks.join('');
    expect(text).not.toContain('Confidential merger');
    expect(text).not.toContain(dan.account.password);
  });
});
