/**
 * Webhooks end to end: real mail delivered into Dovecot, an incoming cycle
 * against PostgreSQL, the trigger's outbox, and the dispatcher POSTing to an
 * HTTP receiver in this test (node:http: the real counterpart of a webhook,
 * not a stand-in for anything Mailroom talks to).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dispatchDue,
  pruneDeliveredEvents,
  startWebhookDispatcher,
} from '../../../src/webhooks/dispatcher.js';
import type { RetryPolicy } from '../../../src/webhooks/retry-policy.js';
import { verifySignature } from '../../../src/webhooks/signature.js';
import { deliverMail } from '../../support/mail-users.js';
import { startSyncWorker } from '../../../src/sync/worker.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';
import { noTestRunner, silentLogger, waitFor } from '../../support/worker.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly json: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/** A webhook receiver: records every request, answers with the next queued status (200 when none is queued). */
class Receiver {
  readonly received: Received[] = [];
  private readonly answers: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          path: request.url ?? '',
          headers: request.headers,
          body,
          json: JSON.parse(body) as Received['json'],
        });
        response.statusCode = this.answers.shift() ?? 200;
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answerNext(...statuses: number[]): void {
    this.answers.push(...statuses);
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface WebhookView {
  id: string;
  name: string;
  url: string;
  events: string[];
  mailboxIds: string[] | null;
  enabled: boolean;
  secret?: string;
}

interface DeliveryView {
  id: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  event: { id: string; type: string; data: Record<string, unknown> };
}

/** Fast retries, so a test sees the second attempt within milliseconds. */
const QUICK: RetryPolicy = { baseMs: 20, capMs: 40, maxAttempts: 3 };

describe('webhooks', () => {
  let f: SyncFixture;
  const receiver = new Receiver();

  beforeAll(async () => {
    f = await createSyncFixture();
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await f?.close();
  });

  const dispatch = () => dispatchDue({ db: f.t.database.db, secrets: f.t.secrets }, { policy: QUICK });

  async function subscribe(
    path: string,
    body: Record<string, unknown>,
  ): Promise<WebhookView & { secret: string }> {
    const res = await f.t.request<WebhookView & { secret: string }>('POST', '/api/webhooks', {
      body: { name: `hook ${path}`, url: `${receiver.url}${path}`, ...body },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function deliveries(id: string, status?: string): Promise<DeliveryView[]> {
    const query = status ? `?status=${status}` : '';
    return (await f.get<{ items: DeliveryView[] }>(`/api/webhooks/${id}/deliveries${query}`)).items;
  }

  async function dispatchUntilQuiet(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      const pending = await f.t.database.db
        .selectFrom('webhookDeliveries')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      if (pending.length === 0) return;
      await dispatch();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('deliveries still pending after 50 rounds');
  }

  it('shows the signing secret once, stores it sealed, and never returns it again', async () => {
    const hook = await subscribe('/check', { events: ['email.received'] });
    expect(hook.secret).toMatch(/^whsec_/);
    const stored = await f.t.database.db
      .selectFrom('webhookSubscriptions')
      .select('secretSealed')
      .where('id', '=', hook.id)
      .executeTakeFirstOrThrow();
    expect(stored.secretSealed).not.toContain(hook.secret);
    expect(f.t.secrets.open(stored.secretSealed)).toBe(hook.secret);

    const responses = [
      await f.t.request('GET', `/api/webhooks/${hook.id}`),
      await f.t.request('GET', '/api/webhooks'),
      await f.t.request('PATCH', `/api/webhooks/${hook.id}`, { body: { name: 'renamed' } }),
    ];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.raw.body).not.toContain(hook.secret);
      expect(res.raw.body).not.toMatch(/secret/i);
    }
    expect(responses[2]!.body).toMatchObject({ name: 'renamed', events: ['email.received'], enabled: true });
    await f.t.request('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('refuses bad input with field errors, and people without prvWriteOrganization', async () => {
    const bad = await f.t.request('POST', '/api/webhooks', {
      body: { name: 'x', url: 'ftp://example.test/', events: ['email.sent'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'MR_ERR_VALIDATION' });
    const unknownMailbox = await f.t.request('POST', '/api/webhooks', {
      body: {
        name: 'x',
        url: 'https://example.test/',
        events: ['item.failed'],
        mailboxIds: ['0190a0a0-0000-7000-8000-000000000000'],
      },
    });
    expect(unknownMailbox.status).toBe(400);
    expect(unknownMailbox.body).toMatchObject({ details: [{ field: 'mailboxIds' }] });

    const sales = await f.userWithMailbox('Sam Nohooks', ['Salesperson']);
    const token = await f.post<{ token: string }>('/api/tokens', { name: 'sam', userId: sales.userId });
    const denied = await f.t.request('GET', '/api/webhooks', { token: token.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({
      code: 'MR_ERR_FORBIDDEN',
      details: { privilege: 'prvWriteOrganization' },
    });
  });

  it('delivers email.received signed, retries after a 500, and leaves a disabled subscription out', async () => {
    const ada = await f.userWithMailbox('Ada Hooks', ['Salesperson']);
    const hook = await subscribe('/received', { events: ['email.received'], mailboxIds: [ada.mailboxId] });
    const disabled = await subscribe('/disabled', {
      events: ['email.received', 'item.failed'],
      enabled: false,
    });

    await deliver({
      from: 'Customer <customer@ext.test>',
      to: ada.account.email,
      subject: 'Order 7 — größer',
      messageId: '<order-7@ext.test>',
      body: 'The body stays inside Mailroom.',
    });
    expect(await f.incoming().runMailbox(ada.mailboxId)).toMatchObject({ stats: { created: 1 } });

    // First attempt: the receiver fails.
    receiver.answerNext(500);
    expect(await dispatch()).toBe(1);
    const [failedOnce] = await deliveries(hook.id);
    expect(failedOnce).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'HTTP 500',
    });
    expect(Date.parse(failedOnce!.nextAttemptAt!)).toBeGreaterThan(Date.now() - 1000);

    await dispatchUntilQuiet();
    const [delivered] = await deliveries(hook.id);
    expect(delivered).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(delivered!.deliveredAt).not.toBeNull();

    const requests = receiver.at('/received');
    expect(requests).toHaveLength(2);
    const last = requests[1]!;
    // Both attempts carry the same event: the receiver deduplicates by its id.
    expect(requests[0]!.json.id).toBe(last.json.id);
    expect(last.headers['mailroom-event-id']).toBe(last.json.id);
    expect(last.headers['mailroom-event-type']).toBe('email.received');
    expect(
      verifySignature({
        secret: hook.secret,
        body: last.body,
        timestamp: last.headers['mailroom-timestamp'] as string,
        signature: last.headers['mailroom-signature'] as string,
      }),
    ).toBe('valid');
    expect(
      verifySignature({
        secret: 'whsec_wrong',
        body: last.body,
        timestamp: last.headers['mailroom-timestamp'] as string,
        signature: last.headers['mailroom-signature'] as string,
      }),
    ).toBe('mismatch');

    const [email] = await f.emailsOf(ada.mailboxId);
    expect(last.json).toMatchObject({
      type: 'email.received',
      data: {
        mailboxId: ada.mailboxId,
        activityId: email!.id,
        createdActivity: true,
        messageId: '<order-7@ext.test>',
        subject: 'Order 7 — größer',
      },
    });
    expect(last.body).not.toContain('The body stays inside Mailroom.');

    expect(receiver.at('/disabled')).toEqual([]);
    expect(await deliveries(disabled.id)).toEqual([]);
  });

  it('sends item.failed for a message that cannot be tracked', async () => {
    const ben = await f.userWithMailbox('Ben Hooks', ['Salesperson']);
    const hook = await subscribe('/failed', { events: ['item.failed'], mailboxIds: [ben.mailboxId] });
    await deliverMail('Received: from nowhere\r\n\r\nthis is not an email at all\r\n', ben.account.email);
    expect(await f.incoming().runMailbox(ben.mailboxId)).toMatchObject({ stats: { parked: 1 } });
    await dispatchUntilQuiet();
    expect(await deliveries(hook.id)).toMatchObject([
      {
        status: 'delivered',
        attempts: 1,
        event: { type: 'item.failed', data: { mailboxId: ben.mailboxId } },
      },
    ]);

    const [request] = receiver.at('/failed');
    expect(request?.json).toMatchObject({
      type: 'item.failed',
      data: { mailboxId: ben.mailboxId, status: 'parked', code: 'MailroomMalformedMessage', attempts: 1 },
    });
    expect(typeof request?.json.data.reason).toBe('string');
    const item = await f.t.database.db
      .selectFrom('messageLedger')
      .select(['id', 'messageKey'])
      .where('mailboxId', '=', ben.mailboxId)
      .executeTakeFirstOrThrow();
    expect(request?.json.data).toMatchObject({ itemId: item.id, messageKey: item.messageKey });

    // An administrator's retry is not a new failure; the failure after it is.
    const retried = await f.t.request('POST', `/api/mailboxes/${ben.mailboxId}/items/${item.id}/retry`);
    expect(retried.status).toBe(200);
    await dispatchUntilQuiet();
    expect(receiver.at('/failed')).toHaveLength(1);
    await f.incoming().runMailbox(ben.mailboxId);
    await dispatchUntilQuiet();
    expect(receiver.at('/failed')).toHaveLength(2);
  });

  it('gives up after the attempt limit, cancels deliveries of a subscription disabled meanwhile, and redelivers', async () => {
    const cy = await f.userWithMailbox('Cy Hooks', ['Salesperson']);
    const flaky = await subscribe('/down', { events: ['email.received'], mailboxIds: [cy.mailboxId] });
    const paused = await subscribe('/paused', { events: ['email.received'], mailboxIds: [cy.mailboxId] });
    await deliver({ from: 'x@ext.test', to: cy.account.email, subject: 'Limit test' });
    await f.incoming().runMailbox(cy.mailboxId);

    // Disabled after the event was queued: it gets nothing.
    await f.patch(`/api/webhooks/${paused.id}`, { enabled: false });
    receiver.answerNext(503, 503, 503);
    await dispatchUntilQuiet();
    const [gaveUp] = await deliveries(flaky.id);
    expect(gaveUp).toMatchObject({
      status: 'failed',
      attempts: QUICK.maxAttempts,
      lastStatusCode: 503,
      nextAttemptAt: null,
    });
    const [canceled] = await deliveries(paused.id);
    expect(canceled).toMatchObject({ status: 'canceled', lastError: 'the subscription is disabled' });
    expect(receiver.at('/paused')).toEqual([]);
    expect(await deliveries(flaky.id, 'failed')).toHaveLength(1);
    expect(await deliveries(flaky.id, 'delivered')).toEqual([]);

    const again = await f.post<DeliveryView>(`/api/webhooks/${flaky.id}/deliveries/${gaveUp!.id}/retry`);
    expect(again).toMatchObject({ status: 'pending', attempts: 0 });
    await dispatchUntilQuiet();
    expect(await deliveries(flaky.id)).toMatchObject([{ id: gaveUp!.id, status: 'delivered', attempts: 1 }]);
    const sent = receiver.at('/down');
    expect(sent).toHaveLength(QUICK.maxAttempts + 1);
    expect(new Set(sent.map((request) => request.json.id)).size).toBe(1);
  });

  it('runs as a loop in the worker and stops cleanly', async () => {
    const dee = await f.userWithMailbox('Dee Hooks', ['Salesperson']);
    await subscribe('/loop', { events: ['email.received'], mailboxIds: [dee.mailboxId] });
    const dispatcher = startWebhookDispatcher({
      db: f.t.database.db,
      secrets: f.t.secrets,
      pollMs: 20,
      policy: QUICK,
    });
    try {
      await deliver({ from: 'y@ext.test', to: dee.account.email, subject: 'Loop test' });
      await f.incoming().runMailbox(dee.mailboxId);
      for (let i = 0; i < 200 && receiver.at('/loop').length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(receiver.at('/loop')).toHaveLength(1);
    } finally {
      await dispatcher.stop();
    }
  });

  it('sends at once when the commit notifies, with the next poll a minute away; redelivery wakes it too', async () => {
    const eve = await f.userWithMailbox('Eve Wakes', ['Salesperson']);
    const hook = await subscribe('/wake', { events: ['email.received'], mailboxIds: [eve.mailboxId] });
    const dispatcher = startWebhookDispatcher({
      db: f.t.database.db,
      secrets: f.t.secrets,
      pollMs: 60_000,
      policy: QUICK,
    });
    // The worker's due listener hands `webhooks` notifications to the dispatcher, as `mailroom worker` wires it.
    const worker = startSyncWorker({
      logger: silentLogger,
      workerId: 'webhook-wake-test',
      testRunner: noTestRunner,
      databaseUrl: f.t.database.url,
      intervalMs: 60_000,
      alsoWake: { webhooks: () => dispatcher.wake() },
    });
    try {
      await waitFor('the worker to listen', async () => {
        const listening = await sql<{ n: string }>`
          SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'LISTEN mailroom_due'`.execute(f.t.database.db);
        return Number(listening.rows[0]?.n) > 0 ? true : undefined;
      });
      // Let the dispatcher's first rounds pass: what follows is due only through the notification.
      await new Promise((resolve) => setTimeout(resolve, 300));

      await deliver({ from: 'z@ext.test', to: eve.account.email, subject: 'Wake test' });
      await f.incoming().runMailbox(eve.mailboxId);
      await waitFor('the woken delivery', () => (receiver.at('/wake').length > 0 ? true : undefined), 10_000);
      expect(receiver.at('/wake')).toHaveLength(1);

      const [sent] = await deliveries(hook.id);
      await waitFor('the outcome', async () =>
        (await deliveries(hook.id))[0]?.status === 'delivered' ? true : undefined,
      );
      const again = await f.post<DeliveryView>(`/api/webhooks/${hook.id}/deliveries/${sent!.id}/retry`);
      expect(again).toMatchObject({ status: 'pending' });
      await waitFor('the redelivery', () => (receiver.at('/wake').length > 1 ? true : undefined), 10_000);
      expect(receiver.at('/wake')).toHaveLength(2);
    } finally {
      await worker.stop();
      await dispatcher.stop();
    }
  });

  it('prunes old events once their deliveries are settled, and keeps the ones still pending', async () => {
    const db = f.t.database.db;
    const events = await db.selectFrom('webhookEvents').select('id').execute();
    expect(events.length).toBeGreaterThan(1);
    const [settled, waiting] = events;
    await db
      .updateTable('webhookEvents')
      .set({ createdAt: new Date(Date.now() - 8 * 86_400_000) })
      .where('id', 'in', [settled!.id, waiting!.id])
      .execute();
    await db
      .updateTable('webhookDeliveries')
      .set({ status: 'delivered' })
      .where('eventId', '=', settled!.id)
      .execute();
    await db
      .updateTable('webhookDeliveries')
      .set({ status: 'pending', nextAttemptAt: new Date(Date.now() + 3_600_000) })
      .where('eventId', '=', waiting!.id)
      .execute();
    expect(await pruneDeliveredEvents(db, 7)).toBe(1);
    const left = new Set((await db.selectFrom('webhookEvents').select('id').execute()).map((row) => row.id));
    expect(left.has(settled!.id)).toBe(false);
    expect(left.has(waiting!.id)).toBe(true);
    expect(left.size).toBe(events.length - 1);
  });

  it('writes no events while no subscription wants them', async () => {
    await f.t.database.db.deleteFrom('webhookSubscriptions').execute();
    const before = await f.t.database.db.selectFrom('webhookEvents').select('id').execute();
    const eve = await f.userWithMailbox('Eve Quiet', ['Salesperson']);
    await deliver({ from: 'z@ext.test', to: eve.account.email, subject: 'Nobody listens' });
    expect(await f.incoming().runMailbox(eve.mailboxId)).toMatchObject({ stats: { created: 1 } });
    const after = await f.t.database.db.selectFrom('webhookEvents').select('id').execute();
    expect(after).toHaveLength(before.length);
  });
});
