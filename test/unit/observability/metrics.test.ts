/**
 * Process metrics: the latency computation, connection tracking, and the
 * access rule of /metrics.
 */
import { describe, expect, it } from 'vitest';
import { metricsAccess } from '../../../src/observability/metrics-access.js';
import {
  countMessages,
  deliverySeconds,
  processMetrics,
  trackConnection,
  trackedSession,
} from '../../../src/observability/metrics.js';

async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await processMetrics.getSingleMetric(name)?.get();
  const value = metric?.values.find((entry) =>
    Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted),
  );
  return value?.value;
}

describe('delivery latency', () => {
  const committedAt = new Date('2025-03-01T10:00:10Z');

  it('is the seconds from receipt to commit', () => {
    expect(
      deliverySeconds([new Date('2025-03-01T10:00:08Z'), new Date('2025-03-01T09:59:10Z')], committedAt),
    ).toEqual([2, 60]);
  });

  it('leaves out unknown times and times in the future (a server clock ahead of ours)', () => {
    expect(
      deliverySeconds([null, undefined, new Date('invalid'), new Date('2025-03-01T10:00:11Z')], committedAt),
    ).toEqual([]);
  });
});

describe('connections per profile', () => {
  it('counts a connection until released, once however often release is called', async () => {
    const before = (await sample('mailroom_connections', { profile_id: 'p-1', protocol: 'imap' })) ?? 0;
    const release = trackConnection('p-1', 'imap');
    const other = trackConnection('p-1', 'imap');
    expect(await sample('mailroom_connections', { profile_id: 'p-1', protocol: 'imap' })).toBe(before + 2);
    release();
    release();
    expect(await sample('mailroom_connections', { profile_id: 'p-1', protocol: 'imap' })).toBe(before + 1);
    other();
    expect(await sample('mailroom_connections', { profile_id: 'p-1', protocol: 'imap' })).toBe(before);
  });

  it('tracks a session until its own close() and still closes it', async () => {
    let closed = 0;
    const session = trackedSession('p-2', 'smtp', { close: async () => void (closed += 1) });
    expect(await sample('mailroom_connections', { profile_id: 'p-2', protocol: 'smtp' })).toBe(1);
    await session.close();
    expect(closed).toBe(1);
    expect(await sample('mailroom_connections', { profile_id: 'p-2', protocol: 'smtp' })).toBe(0);
  });
});

describe('message counts', () => {
  it('adds each non-zero count under its outcome', async () => {
    const created =
      (await sample('mailroom_sync_messages_total', { channel: 'act', outcome: 'created' })) ?? 0;
    const notTracked =
      (await sample('mailroom_sync_messages_total', { channel: 'act', outcome: 'not_tracked' })) ?? 0;
    countMessages('act', { created: 3, associated: 0, failed: 0, parked: 0, skipped: 0, notTracked: 2 });
    expect(await sample('mailroom_sync_messages_total', { channel: 'act', outcome: 'created' })).toBe(
      created + 3,
    );
    expect(await sample('mailroom_sync_messages_total', { channel: 'act', outcome: 'not_tracked' })).toBe(
      notTracked + 2,
    );
  });
});

describe('metrics access', () => {
  const token = 'a-long-metrics-token-123';

  it('is off without a configured token, whatever is sent', () => {
    expect(metricsAccess(undefined, `Bearer ${token}`)).toBe('disabled');
    expect(metricsAccess('', undefined)).toBe('disabled');
  });

  it('opens to the configured bearer token only', () => {
    expect(metricsAccess(token, `Bearer ${token}`)).toBe('allowed');
    expect(metricsAccess(token, `bearer ${token}`)).toBe('allowed');
    expect(metricsAccess(token, undefined)).toBe('denied');
    expect(metricsAccess(token, `Bearer ${token}x`)).toBe('denied');
    expect(metricsAccess(token, token)).toBe('denied');
    expect(metricsAccess(token, 'Basic dXNlcjpwYXNz')).toBe('denied');
  });
});
