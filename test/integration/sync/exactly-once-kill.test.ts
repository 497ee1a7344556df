/**
 * Exactly once, the hard way: real `mailroom worker` processes sync a few thousand messages from real
 * Dovecot mailboxes while the test kills them with SIGKILL at random moments and restarts them, a
 * second worker runs alongside for part of the time, Dovecot drops sessions (`doveadm kick`) and a
 * relay cuts one mailbox's connection in the middle of a download. Then everything is counted: one
 * settled ledger row per server message, one email activity per Message-ID, the right associations,
 * parties, attachments and queue items, and every cursor at the end of its folder.
 *
 * Time is the one thing the test shortens. A killed worker's lease would expire after two minutes
 * and a failed cycle would be retried after a minute or more; the test moves those clocks forward
 * (it expires the leases of workers it killed, never of a live one, and makes the mailboxes due),
 * which is what waiting would do, only sooner.
 *
 * The first test pins down the hole the chaos found: imapflow answered a FETCH on a session Dovecot
 * had dropped with no rows, the batch looked expunged, and the cursor moved past unread messages.
 *
 * MAILROOM_KILL_TEST_MESSAGES sets the number of server messages (default 3000);
 * MAILROOM_KILL_TEST_SEED repeats the layout and the random choices of an earlier run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorFailure } from '../../../src/connectors/types.js';
import { openImapSource } from '../../../src/sync/incoming/imap-source.js';
import { bundleCli, startCliWorker, type CliBundle, type CliWorker } from '../../support/cli-worker.js';
import { startCuttingProxy, type CuttingProxy } from '../../support/cutting-proxy.js';
import { kickSessions } from '../../support/dovecot-admin.js';
import { writeToInbox } from '../../support/maildir.js';
import { createMailUser, readTestServers, testCa, type MailUser } from '../../support/mail-users.js';
import { createSyncFixture, message, type SyncFixture } from '../../support/sync.js';
import { seededRandom } from '../../support/seeded-random.js';

const TOTAL_MESSAGES = Number(process.env.MAILROOM_KILL_TEST_MESSAGES ?? 3000);
/** how long workers are killed and restarted before the last one is left to finish */
const CHAOS_MS = Number(process.env.MAILROOM_KILL_TEST_CHAOS_MS ?? 35_000);
const FINISH_TIMEOUT_MS = 60_000;
/** workers being killed and restarted at the same time */
const CHAOS_SLOTS = 2;
/** at least this many kills; more while CHAOS_MS lasts and the sync is not done, up to MAX_KILLS */
const MIN_KILLS = 10;
const MAX_KILLS = 16;
/** small batches, so that a worker living 0.5–2 s commits some before it is killed */
const BATCH_MESSAGES = 20;
const SEED = Number(process.env.MAILROOM_KILL_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

// Seeded, so a failing run can be repeated with MAILROOM_KILL_TEST_SEED.
const random = seededRandom(SEED);
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Kind = 'email' | 'noSender' | 'notEmail';

/** One file in one mailbox's Inbox, and what it must become. */
interface Planned {
  readonly kind: Kind;
  readonly messageId: string | null;
  /** addresses in To (the parties are these and the sender) */
  readonly recipients: readonly string[];
  readonly withAttachment: boolean;
  readonly raw: string;
  /** position in the Inbox: files are written in this order */
  order: number;
}

const ATTACHMENT = randomBytes(4096);

function emailRaw(input: {
  messageId: string | null;
  from: string | null;
  to: readonly string[];
  subject: string;
  body: string;
  attachment: boolean;
}): string {
  const plain = message({
    from: input.from ?? '',
    to: [...input.to],
    subject: input.subject,
    messageId: input.messageId,
    body: input.body,
  });
  const withoutFrom = input.from === null ? plain.replace(/^From: \r\n/, '') : plain;
  if (!input.attachment) return withoutFrom;
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const [head, ...rest] = withoutFrom.split('\r\n\r\n');
  return [
    head!.replace(
      'Content-Type: text/plain; charset=utf-8',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
    ),
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    rest.join('\r\n\r\n'),
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="report.bin"',
    'Content-Disposition: attachment; filename="report.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    ATTACHMENT.toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

function body(): string {
  const words = ['quote', 'order', 'invoice', 'delivery', 'meeting', 'price', 'Grüße', 'résumé', 'contract'];
  const length = between(600, 3500);
  let text = '';
  while (text.length < length) text += `${words[between(0, words.length - 1)]} `;
  return text.replace(/(.{70}) /g, '$1\r\n');
}

let serial = 0;
function plannedEmail(
  to: readonly string[],
  options: { messageId?: boolean; attachment?: boolean } = {},
): Planned {
  serial += 1;
  const messageId =
    options.messageId === false ? null : `<kill-${serial}-${SEED.toString(36)}@customer.test>`;
  const withAttachment = options.attachment ?? random() < 0.05;
  return {
    kind: 'email',
    messageId,
    recipients: to,
    withAttachment,
    raw: emailRaw({
      messageId,
      from: `Customer ${serial} <customer${serial % 97}@partner.test>`,
      to,
      subject: `Order ${serial}: ${between(1, 99999)} units`,
      body: body(),
      attachment: withAttachment,
    }),
    order: random(),
  };
}

function plannedNoSender(to: string): Planned {
  serial += 1;
  const messageId = `<kill-nosender-${serial}@customer.test>`;
  return {
    kind: 'noSender',
    messageId,
    recipients: [to],
    withAttachment: false,
    raw: emailRaw({
      messageId,
      from: null,
      to: [to],
      subject: `No sender ${serial}`,
      body: body(),
      attachment: false,
    }),
    order: random(),
  };
}

function plannedNotEmail(): Planned {
  serial += 1;
  return {
    kind: 'notEmail',
    messageId: null,
    recipients: [],
    withAttachment: false,
    raw: `X-Junk: ${serial}\r\n\r\n${randomBytes(300).toString('base64')}\r\n`,
    order: random(),
  };
}

/** Emails both mailboxes received, in the same relative order in each (as real delivery does). */
function shareInOrder(shared: readonly Planned[], into: [Planned[], Planned[]]): void {
  for (const list of into) {
    const positions = shared.map(() => random()).sort((a, b) => a - b);
    shared.forEach((item, i) => list.push({ ...item, order: positions[i]! }));
  }
}

/** One worker killed: how long it took to start, and the settled ledger rows around its life. */
interface Kill {
  readonly startedAfterMs: number;
  readonly settledBefore: number;
  readonly settledAtKill: number;
  /** no live worker was running yet: any progress in between was the killed workers' */
  readonly alone: boolean;
}

interface MailboxUnderTest {
  readonly name: string;
  readonly mailboxId: string;
  readonly account: MailUser;
  readonly planned: Planned[];
}

describe('exactly once under SIGKILL', () => {
  const secretKey = randomBytes(32);
  let f: SyncFixture;
  let proxy: CuttingProxy;
  let dataDir: string;
  let cli: CliBundle;
  const workers: CliWorker[] = [];
  let queueId: string;
  let boxes: MailboxUnderTest[];

  beforeAll(async () => {
    f = await createSyncFixture({ secretKey });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mailroom-kill-'));
    cli = await bundleCli();
    const servers = readTestServers();
    proxy = await startCuttingProxy({
      target: servers.imaps,
      // Far beyond login and the UID/size listing of a folder: the cuts land inside body downloads.
      cutAfterBytes: 400_000,
      cuts: 2,
    });

    const alice = await f.userWithMailbox('Alice Kill', ['Salesperson']);
    const bob = await f.userWithMailbox('Bob Kill', ['Salesperson']);
    const carol = await f.userWithMailbox('Carol Kill', ['Salesperson']);
    // Carol's mailbox reads Dovecot through the relay that cuts downloads.
    const flaky = await f.post<{ id: string }>('/api/email-server-profiles', {
      name: 'Dovecot behind a cutting relay',
      serverType: 'imap-smtp',
      incomingHost: 'localhost',
      incomingPort: proxy.port,
      incomingTls: 'implicit',
      outgoingHost: 'localhost',
      outgoingPort: servers.submission.port,
      outgoingTls: 'starttls',
      credentialSource: 'mailbox',
    });
    await f.patch(`/api/mailboxes/${carol.mailboxId}`, { emailServerProfileId: flaky.id });
    await f.markTested(carol.mailboxId, 'success');

    const supportAccount = await createMailUser('support-kill');
    const team = await f.post<{ id: string }>('/api/teams', { name: 'Support Kill Team' });
    await f.post(`/api/teams/${team.id}/roles`, { roleId: f.roles['Support Queue Owner'] });
    const queue = await f.post<{ id: string; mailboxId: string }>('/api/queues', {
      name: 'Support Kill',
      emailAddress: supportAccount.email,
      ownerId: team.id,
      ownerType: 'team',
    });
    queueId = queue.id;
    await f.connect(queue.mailboxId, supportAccount);
    await f.markTested(queue.mailboxId, 'success');

    boxes = [
      { name: 'alice', mailboxId: alice.mailboxId, account: alice.account, planned: [] },
      { name: 'bob', mailboxId: bob.mailboxId, account: bob.account, planned: [] },
      { name: 'carol', mailboxId: carol.mailboxId, account: carol.account, planned: [] },
      { name: 'support', mailboxId: queue.mailboxId, account: supportAccount, planned: [] },
    ];
    const [a, b, c, s] = boxes as [MailboxUnderTest, MailboxUnderTest, MailboxUnderTest, MailboxUnderTest];

    // The same email to two mailboxes: Alice and the support queue, Bob and Carol.
    const sharedPerPair = Math.round(TOTAL_MESSAGES * 0.05);
    shareInOrder(
      Array.from({ length: sharedPerPair }, () => plannedEmail([a.account.email, s.account.email])),
      [a.planned, s.planned],
    );
    shareInOrder(
      Array.from({ length: sharedPerPair }, () => plannedEmail([b.account.email, c.account.email])),
      [b.planned, c.planned],
    );
    for (const box of boxes) {
      for (let i = 0; i < 4; i++) box.planned.push(plannedNoSender(box.account.email));
      for (let i = 0; i < 3; i++) box.planned.push(plannedNotEmail());
      for (let i = 0; i < 3; i++) box.planned.push(plannedEmail([box.account.email], { messageId: false }));
      const unique = Math.floor(TOTAL_MESSAGES / boxes.length) - box.planned.length;
      for (let i = 0; i < unique; i++) box.planned.push(plannedEmail([box.account.email]));
      box.planned.sort((x, y) => x.order - y.order);
      await writeToInbox(
        box.account,
        box.planned.map((item) => ({ raw: item.raw })),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await proxy?.close();
    await f?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await cli?.remove();
  });

  const workerEnv = (): Record<string, string> => ({
    MAILROOM_DATABASE_URL: f.t.database.url,
    MAILROOM_SECRET_KEY: secretKey.toString('hex'),
    MAILROOM_TLS_CA_FILE: readTestServers().tls.caPath,
    MAILROOM_DATA_DIR: dataDir,
    MAILROOM_INCOMING_BATCH_MESSAGES: String(BATCH_MESSAGES),
  });
  const TAKEOVER = /took over an expired incoming lease/;
  const CYCLE_FAILED = /incoming cycle failed/;

  function spawnWorker(workerId: string): CliWorker {
    const worker = startCliWorker({
      workerId,
      env: workerEnv(),
      watch: [TAKEOVER, CYCLE_FAILED],
      bundle: cli,
    });
    workers.push(worker);
    return worker;
  }

  async function settledCount(): Promise<number> {
    const row = await f.t.database.db
      .selectFrom('messageLedger')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(
        'mailboxId',
        'in',
        boxes.map((box) => box.mailboxId),
      )
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** For a failure message: each mailbox's cursor, ledger size and the UIDs without a ledger row. */
  async function whereEachMailboxIs() {
    const db = f.t.database.db;
    return Promise.all(
      boxes.map(async (box) => {
        const cursor = await db
          .selectFrom('mailboxFolderCursors')
          .select('lastUid')
          .where('mailboxId', '=', box.mailboxId)
          .executeTakeFirst();
        const uids = new Set(
          (
            await db
              .selectFrom('messageLedger')
              .select('uid')
              .where('mailboxId', '=', box.mailboxId)
              .execute()
          ).map((row) => Number(row.uid)),
        );
        const missing = box.planned.map((_, i) => i + 1).filter((uid) => !uids.has(uid));
        return {
          mailbox: box.name,
          messages: box.planned.length,
          cursor: cursor?.lastUid,
          ledger: uids.size,
          missing,
        };
      }),
    );
  }

  /**
   * The invariant behind exactly once, checked while the chaos runs: a cursor never passes a message
   * that has no ledger row (Dovecot numbers a fresh Inbox 1..n, so every UID up to the cursor must
   * have one). The cursor is read before the ledger; both only grow, so a race cannot fake a gap.
   */
  async function cursorsAheadOfLedger(): Promise<string[]> {
    const db = f.t.database.db;
    const gaps: string[] = [];
    for (const box of boxes) {
      const cursor = await db
        .selectFrom('mailboxFolderCursors')
        .select('lastUid')
        .where('mailboxId', '=', box.mailboxId)
        .executeTakeFirst();
      if (cursor === undefined) continue;
      const lastUid = Number(cursor.lastUid);
      const row = await db
        .selectFrom('messageLedger')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('mailboxId', '=', box.mailboxId)
        .where('uid', '<=', lastUid)
        .executeTakeFirstOrThrow();
      if (Number(row.n) < lastUid) gaps.push(`${box.name}: cursor ${lastUid}, ledger rows ${row.n}`);
    }
    return gaps;
  }

  async function finished(): Promise<boolean> {
    const db = f.t.database.db;
    for (const box of boxes) {
      const cursor = await db
        .selectFrom('mailboxFolderCursors')
        .select('lastUid')
        .where('mailboxId', '=', box.mailboxId)
        .where('folder', '=', 'INBOX')
        .executeTakeFirst();
      if (cursor === undefined || Number(cursor.lastUid) < box.planned.length) return false;
    }
    return (await settledCount()) >= boxes.reduce((sum, box) => sum + box.planned.length, 0);
  }

  /**
   * What waiting would do: a killed worker's leases expire, and mailboxes whose cycle failed or
   * finished become due. Live workers' leases are never touched.
   */
  async function fastForward(dead: ReadonlySet<string>): Promise<void> {
    const db = f.t.database.db;
    const ids = boxes.map((box) => box.mailboxId);
    if (dead.size > 0) {
      await db
        .updateTable('mailboxes')
        .set({ incomingLeaseExpiresAt: sql<Date>`now()` })
        .where('id', 'in', ids)
        .where('incomingLeaseOwner', 'in', [...dead])
        .where('incomingLeaseExpiresAt', '>', sql<Date>`now()`)
        .execute();
    }
    await db
      .updateTable('mailboxes')
      .set({ incomingDueAt: sql<Date>`now()` })
      .where('id', 'in', ids)
      .where('incomingDueAt', '>', sql<Date>`now()`)
      .execute();
  }

  it('fails a fetch on a session the server dropped, rather than reading it as "no messages"', async () => {
    const alice = boxes.find((box) => box.name === 'alice')!;
    const servers = readTestServers();
    const source = await openImapSource(
      {
        host: 'localhost',
        port: servers.imaps.port,
        tls: 'implicit',
        verifyCertificates: true,
        timeoutMs: 10_000,
        extraCa: testCa(servers).toString('utf8'),
      },
      { username: alice.account.username, password: alice.account.password },
    );
    try {
      expect(await source.fetch([1])).toHaveLength(1);
      expect(await kickSessions(alice.account)).toBeGreaterThanOrEqual(1);
      // Without the check, imapflow answers with no rows and the batch looks expunged.
      const dropped = await source.fetch([1, 2, 3]).then(
        (rows) => ({ rows }),
        (error: unknown) => error,
      );
      expect(dropped).toBeInstanceOf(ConnectorFailure);
      expect((dropped as ConnectorFailure).details).toMatchObject({
        protocol: 'imap',
        stage: 'read',
        errorCode: 'CONNECTION_DROPPED',
      });
    } finally {
      await source.close();
    }
  });

  it('loses nothing and duplicates nothing while workers are killed, sessions dropped and downloads cut', async () => {
    const total = boxes.reduce((sum, box) => sum + box.planned.length, 0);
    const dead = new Set<string>();
    let stopClock = false;
    const gaps: string[] = [];
    const clock = (async () => {
      while (!stopClock) {
        await fastForward(dead);
        if (gaps.length === 0) gaps.push(...(await cursorsAheadOfLedger()));
        await sleep(250);
      }
    })();

    // Server-side drops at random moments, on the mailboxes that talk to Dovecot directly.
    let kicks = 0;
    const kickErrors: string[] = [];
    let stopKicking = false;
    const kicker = (async () => {
      while (!stopKicking) {
        await sleep(between(1500, 4000));
        if (stopKicking) break;
        const box = boxes[between(0, 3)]!;
        if (box.name === 'carol') continue;
        kicks += await kickSessions(box.account).catch((error: unknown) => {
          kickErrors.push(String(error));
          return 0;
        });
      }
    })();

    const kills: Kill[] = [];
    let steady: CliWorker | undefined;
    let round = 0;
    // A worker killed before it committed anything makes the next one live a little longer (by a
    // second each time), so that on a slow machine kills still fall between and inside commits.
    let extraLifeMs = 0;
    const chaosEnds = Date.now() + CHAOS_MS;
    const chaosSlot = async () => {
      const goOn = async () =>
        kills.length < MIN_KILLS ||
        (Date.now() < chaosEnds && kills.length < MAX_KILLS && !(await finished()));
      while (await goOn()) {
        round += 1;
        const worker = spawnWorker(`chaos-${round}`);
        const spawnedAt = Date.now();
        await Promise.race([worker.started, worker.exited]);
        const startedAfterMs = Date.now() - spawnedAt;
        const before = await settledCount();
        await sleep(between(500, 2000) + extraLifeMs);
        const exit = await worker.kill();
        expect(exit.signal, worker.logTail()).toBe('SIGKILL');
        dead.add(worker.workerId);
        const after = await settledCount();
        extraLifeMs = after > before ? 0 : Math.min(extraLifeMs + 1000, 6000);
        kills.push({
          startedAfterMs,
          settledBefore: before,
          settledAtKill: after,
          alone: steady === undefined,
        });
      }
    };
    const chaosOnlyProgress = () =>
      kills.some((kill) => kill.alone && kill.settledAtKill > kill.settledBefore);
    try {
      const slots = Array.from({ length: CHAOS_SLOTS }, async (_, i) => {
        await sleep(i * 700);
        await chaosSlot();
      });
      // Killed workers alone first, until they have committed something; then a live worker joins and
      // stays to the end while the killing goes on.
      while (!chaosOnlyProgress() || kills.length < MIN_KILLS / 2) {
        if (kills.length >= MAX_KILLS - MIN_KILLS / 2) break;
        await Promise.race([Promise.all(slots), sleep(250)]);
      }
      steady = spawnWorker('steady');
      await Promise.all(slots);
      const deadline = Date.now() + FINISH_TIMEOUT_MS;
      while (!(await finished())) {
        if (gaps.length > 0) break;
        if (Date.now() > deadline) {
          throw new Error(
            `not finished after the chaos: ${await settledCount()} of ${total} settled (seed ${SEED})\n` +
              `${JSON.stringify(await whereEachMailboxIs())}\n${steady.logTail()}`,
          );
        }
        await sleep(300);
      }
      stopKicking = true;
      await kicker;
      // The live worker stops cleanly: it finishes what it holds and exits 0.
      expect(await steady.stop(), steady.logTail()).toEqual({ code: 0, signal: null });
    } finally {
      stopKicking = true;
      stopClock = true;
      await clock;
    }

    const summary = {
      seed: SEED,
      messages: total,
      kills: kills.length,
      kicks,
      cuts: proxy.cutsMade.length,
      takeovers: workers.reduce((sum, worker) => sum + worker.count(TAKEOVER), 0),
      failedCycles: workers.reduce((sum, worker) => sum + worker.count(CYCLE_FAILED), 0),
      // settled rows when each killed worker started working → when it was killed (* = no live worker yet)
      settled: kills.map((kill) => `${kill.settledBefore}→${kill.settledAtKill}${kill.alone ? '*' : ''}`),
      startupMs: kills.map((kill) => kill.startedAfterMs),
    };
    console.log(`exactly-once under SIGKILL: ${JSON.stringify(summary)}`);

    expect(gaps, `messages skipped without a trace (seed ${SEED})`).toEqual([]);
    await expectEveryMessageSettledOnce();
    await expectOneActivityPerEmail();
    await expectQueueItemsOncePerEmail();
    await expectCursorsAtTheEnd();
    // Carol's cut downloads were transient failures, answered by the cycles that completed.
    const carol = boxes.find((box) => box.name === 'carol')!;
    expect(await f.mailbox(carol.mailboxId)).toMatchObject({
      incomingEnabled: true,
      incomingStatus: 'success',
    });

    // The chaos really happened: workers were killed, their leases taken over, a download cut.
    expect(kickErrors).toEqual([]);
    expect(kills.length, JSON.stringify(summary)).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(summary.takeovers, JSON.stringify(summary)).toBeGreaterThanOrEqual(1);
    expect(proxy.cutsMade.length, JSON.stringify(summary)).toBeGreaterThanOrEqual(1);
    // Workers that were only ever killed committed batches: the kills fell between and inside commits.
    expect(chaosOnlyProgress(), JSON.stringify(summary)).toBe(true);
  }, 180_000);

  async function ledgerOf(box: MailboxUnderTest) {
    return f.t.database.db
      .selectFrom('messageLedger')
      .select(['uid', 'status', 'messageId', 'activityId', 'lastErrorCode', 'createdActivity', 'attempts'])
      .where('mailboxId', '=', box.mailboxId)
      .orderBy('uid')
      .execute();
  }

  async function expectEveryMessageSettledOnce(): Promise<void> {
    for (const box of boxes) {
      const ledger = await ledgerOf(box);
      // One row per server message, UIDs 1..n, none twice.
      expect(ledger.map((row) => Number(row.uid))).toEqual(box.planned.map((_, i) => i + 1));
      ledger.forEach((row, i) => {
        const planned = box.planned[i]!;
        const where = `${box.name} UID ${i + 1} (${planned.kind} ${planned.messageId ?? ''})`;
        if (planned.kind === 'email') {
          expect(row.status, where).toBe('processed');
          expect(row.activityId, where).not.toBeNull();
          expect(row.messageId, where).toBe(planned.messageId);
        } else if (planned.kind === 'noSender') {
          expect(['failed', 'parked'], where).toContain(row.status);
          expect(row.lastErrorCode, where).toBe('InvalidSender');
          expect(row.attempts, where).toBeGreaterThanOrEqual(1);
          expect(row.activityId, where).toBeNull();
        } else {
          expect(row.status, where).toBe('parked');
          expect(row.lastErrorCode, where).toBe('MailroomMalformedMessage');
          expect(row.activityId, where).toBeNull();
        }
      });
    }
  }

  async function expectOneActivityPerEmail(): Promise<void> {
    const db = f.t.database.db;
    const ids = boxes.map((box) => box.mailboxId);
    // activity → the ledger rows (of any mailbox) that point at it
    const links = await db
      .selectFrom('messageLedger')
      .select(['activityId', 'mailboxId', 'messageId', 'createdActivity'])
      .where('mailboxId', 'in', ids)
      .where('activityId', 'is not', null)
      .execute();
    const byActivity = new Map<string, typeof links>();
    for (const link of links)
      byActivity.set(link.activityId!, [...(byActivity.get(link.activityId!) ?? []), link]);

    // Each distinct email: its planned copies (one per mailbox that received it).
    const expected = new Map<string, { mailboxes: string[]; planned: Planned }>();
    let withoutMessageId = 0;
    for (const box of boxes) {
      for (const planned of box.planned) {
        if (planned.kind !== 'email') continue;
        if (planned.messageId === null) {
          withoutMessageId += 1;
          continue;
        }
        const entry = expected.get(planned.messageId) ?? { mailboxes: [], planned };
        entry.mailboxes.push(box.mailboxId);
        expected.set(planned.messageId, entry);
      }
    }
    expect(byActivity.size).toBe(expected.size + withoutMessageId);

    const activities = await db
      .selectFrom('activities')
      .select(['id', 'messageId'])
      .where('receivingMailboxId', 'in', ids)
      .execute();
    // No activity without the ledger row that produced it, none with its Message-ID twice.
    expect(activities.map((row) => row.id).sort()).toEqual([...byActivity.keys()].sort());
    const perMessageId = new Map<string, number>();
    for (const row of activities) {
      if (row.messageId !== null) perMessageId.set(row.messageId, (perMessageId.get(row.messageId) ?? 0) + 1);
    }
    expect([...perMessageId.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect([...perMessageId.keys()].sort()).toEqual([...expected.keys()].sort());

    /** Rows of the table per activity of the sync. */
    const countPerActivity = async (table: 'activityParties' | 'attachments') => {
      const rows = await db
        .selectFrom(table)
        .select(['activityId', (eb) => eb.fn.countAll<number>().as('n')])
        .where(
          'activityId',
          'in',
          activities.map((row) => row.id),
        )
        .groupBy('activityId')
        .execute();
      return new Map(rows.map((row) => [row.activityId, Number(row.n)]));
    };
    const partyCount = await countPerActivity('activityParties');
    const attachmentCount = await countPerActivity('attachments');

    for (const [activityId, rows] of byActivity) {
      // Exactly one mailbox created it; every other copy was linked to it.
      expect(
        rows.filter((row) => row.createdActivity),
        activityId,
      ).toHaveLength(1);
      const messageId = rows[0]!.messageId;
      if (messageId === null) {
        expect(rows).toHaveLength(1);
        expect(partyCount.get(activityId)).toBe(2);
        continue;
      }
      const entry = expected.get(messageId)!;
      expect(rows.map((row) => row.mailboxId).sort(), messageId).toEqual([...entry.mailboxes].sort());
      expect(rows.every((row) => row.messageId === messageId)).toBe(true);
      // The sender and each To address, once each.
      expect(partyCount.get(activityId), messageId).toBe(1 + entry.planned.recipients.length);
      expect(attachmentCount.get(activityId) ?? 0, messageId).toBe(entry.planned.withAttachment ? 1 : 0);
    }
  }

  async function expectQueueItemsOncePerEmail(): Promise<void> {
    const support = boxes.find((box) => box.name === 'support')!;
    const processed = (await ledgerOf(support)).filter((row) => row.status === 'processed');
    const items = await f.t.database.db
      .selectFrom('queueItems')
      .select(['activityId'])
      .where('queueId', '=', queueId)
      .execute();
    expect(items.map((item) => item.activityId).sort()).toEqual(
      processed.map((row) => row.activityId!).sort(),
    );
    expect(new Set(items.map((item) => item.activityId)).size).toBe(items.length);
    // Only the queue's mailbox adds to the queue: Alice's copy of a shared email adds nothing more.
    const allItems = await f.t.database.db
      .selectFrom('queueItems')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(allItems.n)).toBe(items.length);
  }

  async function expectCursorsAtTheEnd(): Promise<void> {
    for (const box of boxes) {
      const cursor = await f.t.database.db
        .selectFrom('mailboxFolderCursors')
        .select(['folder', 'uidValidity', 'lastUid'])
        .where('mailboxId', '=', box.mailboxId)
        .execute();
      const ledger = await f.t.database.db
        .selectFrom('messageLedger')
        .select('uidValidity')
        .distinct()
        .where('mailboxId', '=', box.mailboxId)
        .execute();
      expect(ledger).toHaveLength(1);
      expect(cursor).toEqual([
        { folder: 'INBOX', uidValidity: ledger[0]!.uidValidity, lastUid: box.planned.length },
      ]);
    }
  }
});
