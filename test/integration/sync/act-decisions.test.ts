// Decision alerts of ACT sync against the real Radicale: a scheduling conflict (E1) and a duplicate contact
// (E2) hold the item until Yes or No is answered through the API. Also: where new items go, and the
// mailbox's last-sync bookkeeping.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectionsOf,
  createActFixture,
  putDuplicateContact,
  vcard,
  vevent,
  type ActFixture,
} from '../../support/act.js';
import type { AlertView } from '../../support/sync.js';

let f: ActFixture;

beforeAll(async () => {
  f = await createActFixture();
});

afterAll(async () => {
  await f?.close();
});

async function decisionAlerts(mailboxId: string, entryId: string): Promise<AlertView[]> {
  return (
    await f.get<{ items: AlertView[] }>(`/api/alerts?mailboxId=${mailboxId}&entryId=${entryId}&limit=50`)
  ).items;
}

async function subjects(userId: string): Promise<string[]> {
  return (
    await f.get<{ items: { subject: string }[] }>(`/api/appointments?ownerId=${userId}&limit=200`)
  ).items.map((a) => a.subject);
}

describe('ACT decision alerts', () => {
  it('E1: an overlapping appointment waits; Yes creates it on the next cycle, No leaves it out', async () => {
    const u = await f.userWithActMailbox('Erin Conflict', ['Salesperson']);
    await f.post('/api/appointments', {
      subject: 'Busy block',
      scheduledStart: '2030-10-01T09:00:00Z',
      scheduledEnd: '2030-10-01T11:00:00Z',
      organizer: [{ partyType: 'user', partyId: u.userId, address: u.account.email }],
      ownerId: u.userId,
      ownerType: 'user',
    });
    await f.cycle(u.mailboxId);
    const { calendar } = await collectionsOf(f, u.mailboxId);

    const clash = randomUUID();
    await u.dav.put(
      `${calendar}${clash}.ics`,
      vevent(clash, { summary: 'Clash', start: '20301001T100000Z', end: '20301001T103000Z' }),
    );
    // Touching ends do not conflict; a free (transparent) event books no time.
    const after = randomUUID();
    await u.dav.put(
      `${calendar}${after}.ics`,
      vevent(after, { summary: 'Right after', start: '20301001T110000Z', end: '20301001T113000Z' }),
    );
    const free = randomUUID();
    await u.dav.put(
      `${calendar}${free}.ics`,
      vevent(free, {
        summary: 'Free overlap',
        start: '20301001T093000Z',
        end: '20301001T094500Z',
        extra: ['TRANSP:TRANSPARENT'],
      }),
    );

    const first = await f.cycle(u.mailboxId);
    expect(first).toMatchObject({ outcome: 'success' });
    expect(first.stats).toMatchObject({ created: 2, held: 1 });
    expect(await subjects(u.userId)).not.toContain('Clash');
    const [alert] = await decisionAlerts(u.mailboxId, 'E1');
    expect(alert).toMatchObject({
      code: 'ExchangeSyncSchedulingConflictsError',
      channel: 'item',
      level: 'warning',
      resolvedAt: null,
      message:
        'A scheduling conflict was found when saving appointment Clash from Exchange to Mailroom because Erin Conflict is unavailable at this time. Do you want to ignore the conflict and save anyway?',
    });
    expect(alert!.itemReference).toContain(clash);

    // Waiting: nothing is created and nothing is asked again.
    const waiting = await f.cycle(u.mailboxId);
    expect(waiting.stats).toMatchObject({ created: 0, held: 0 });
    expect((await decisionAlerts(u.mailboxId, 'E1'))[0]!.occurrenceCount).toBe(1);

    const bad = await f.t.request('POST', `/api/alerts/${alert!.id}/decision`, { body: { answer: 'maybe' } });
    expect(bad.status).toBe(400);
    const yes = await f.post<{ answer: string }>(`/api/alerts/${alert!.id}/decision`, { answer: 'yes' });
    expect(yes.answer).toBe('yes');
    const twice = await f.t.request<{ code: string }>('POST', `/api/alerts/${alert!.id}/decision`, {
      body: { answer: 'no' },
    });
    expect(twice.status).toBe(409);
    const answered = (await decisionAlerts(u.mailboxId, 'E1'))[0]!;
    expect(answered.resolvedAt).not.toBeNull();
    expect(answered.details).toMatchObject({ decision: 'yes' });

    const created = await f.cycle(u.mailboxId);
    expect(created.stats).toMatchObject({ created: 1, held: 0 });
    expect(await subjects(u.userId)).toContain('Clash');

    // No: left out, remembered for this version, asked again when the item changes on the server.
    const second = randomUUID();
    const secondHref = `${calendar}${second}.ics`;
    await u.dav.put(
      secondHref,
      vevent(second, { summary: 'Clash two', start: '20301001T090000Z', end: '20301001T100000Z' }),
    );
    expect((await f.cycle(u.mailboxId)).stats.held).toBe(1);
    const secondAlert = (await decisionAlerts(u.mailboxId, 'E1')).find((a) => a.resolvedAt === null)!;
    await f.post(`/api/alerts/${secondAlert.id}/decision`, { answer: 'no' });
    const declined = await f.cycle(u.mailboxId);
    expect(declined.stats).toMatchObject({ created: 0, held: 0 });
    expect(await subjects(u.userId)).not.toContain('Clash two');
    expect((await decisionAlerts(u.mailboxId, 'E1')).filter((a) => a.resolvedAt === null)).toHaveLength(0);
    await u.dav.put(
      secondHref,
      vevent(second, { summary: 'Clash two again', start: '20301001T093000Z', end: '20301001T100000Z' }),
    );
    const askedAgain = await f.cycle(u.mailboxId);
    expect(askedAgain.stats.held).toBe(1);
    const open = (await decisionAlerts(u.mailboxId, 'E1')).filter((a) => a.resolvedAt === null);
    expect(open.map((a) => a.message)).toEqual([expect.stringContaining('Clash two again')]);

    // Deleted on the server while waiting: the question goes away.
    expect(await u.dav.delete(secondHref)).toBeLessThan(300);
    await f.cycle(u.mailboxId);
    expect((await decisionAlerts(u.mailboxId, 'E1')).filter((a) => a.resolvedAt === null)).toHaveLength(0);
  });

  it('E1 over series: occurrences on either side clash, a week left out of the series does not', async () => {
    const u = await f.userWithActMailbox('Sam Series', ['Salesperson']);
    await f.cycle(u.mailboxId);
    const { calendar } = await collectionsOf(f, u.mailboxId);
    const put = (uid: string, summary: string, start: string, end: string, extra: string[] = []) =>
      u.dav.put(`${calendar}${uid}.ics`, vevent(uid, { summary, start, end, extra }));

    await put(randomUUID(), 'Weekly', '20301007T090000Z', '20301007T100000Z', [
      'RRULE:FREQ=WEEKLY;COUNT=6',
      'EXDATE:20301028T090000Z',
    ]);
    await put(randomUUID(), 'Fixed', '20301210T090000Z', '20301210T100000Z');
    expect((await f.cycle(u.mailboxId)).stats).toMatchObject({ created: 2, held: 0 });

    // The series' third week; the week it leaves out; a new series whose second week meets "Fixed".
    const third = randomUUID();
    await put(third, 'Third week', '20301021T093000Z', '20301021T100000Z');
    await put(randomUUID(), 'Week left out', '20301028T090000Z', '20301028T093000Z');
    const series = randomUUID();
    await put(series, 'New series', '20301203T093000Z', '20301203T103000Z', ['RRULE:FREQ=WEEKLY;COUNT=3']);
    const cycle = await f.cycle(u.mailboxId);
    expect(cycle.stats).toMatchObject({ created: 1, held: 2 });
    const names = await subjects(u.userId);
    expect(names).toContain('Week left out');
    expect(names).not.toContain('Third week');
    expect(names).not.toContain('New series');
    const held = (await decisionAlerts(u.mailboxId, 'E1')).map((alert) => alert.itemReference ?? '');
    expect(held.some((href) => href.includes(third))).toBe(true);
    expect(held.some((href) => href.includes(series))).toBe(true);
  });

  it('E1: moving a linked appointment onto another asks before the record moves', async () => {
    const u = await f.userWithActMailbox('Moe Mover', ['Salesperson']);
    await f.cycle(u.mailboxId);
    const { calendar } = await collectionsOf(f, u.mailboxId);
    const a = randomUUID();
    const b = randomUUID();
    await u.dav.put(
      `${calendar}${a}.ics`,
      vevent(a, { summary: 'Anchor', start: '20301101T090000Z', end: '20301101T100000Z' }),
    );
    await u.dav.put(
      `${calendar}${b}.ics`,
      vevent(b, { summary: 'Mover', start: '20301101T120000Z', end: '20301101T130000Z' }),
    );
    expect((await f.cycle(u.mailboxId)).stats.created).toBe(2);
    await u.dav.put(
      `${calendar}${b}.ics`,
      vevent(b, {
        summary: 'Mover',
        start: '20301101T093000Z',
        end: '20301101T103000Z',
        lastModified: '20300101T000001Z',
      }),
    );
    const held = await f.cycle(u.mailboxId);
    expect(held.stats).toMatchObject({ held: 1, updated: 0 });
    const mover = (
      await f.get<{ items: { id: string; subject: string; scheduledStart: string }[] }>(
        `/api/appointments?ownerId=${u.userId}&limit=50`,
      )
    ).items.find((item) => item.subject === 'Mover')!;
    expect(mover.scheduledStart).toBe('2030-11-01T12:00:00.000Z');
    const [alert] = await decisionAlerts(u.mailboxId, 'E1');
    await f.post(`/api/alerts/${alert!.id}/decision`, { answer: 'yes' });
    const moved = await f.cycle(u.mailboxId);
    expect(moved.stats).toMatchObject({ updated: 1, pushed: 0, conflicts: 0 });
    expect((await f.get<{ scheduledStart: string }>(`/api/appointments/${mover.id}`)).scheduledStart).toBe(
      '2030-11-01T09:30:00.000Z',
    );
  });

  it('E2: a new contact with the address of an existing one waits for the answer', async () => {
    const u = await f.userWithActMailbox('Dana Dup', ['Salesperson']);
    const addressBook = await putDuplicateContact(f, u, {
      first: 'Dora',
      email: 'Dora.Dup@example.org',
      twinEmail: 'dora.dup@EXAMPLE.org',
    });
    const other = randomUUID();
    await u.dav.put(
      `${addressBook}${other}.vcf`,
      vcard(other, { first: 'Una', last: 'Unique', email: 'una@example.org' }),
      'text/vcard; charset=utf-8',
    );
    const first = await f.cycle(u.mailboxId);
    expect(first.stats).toMatchObject({ created: 1, held: 1 });
    const [alert] = await decisionAlerts(u.mailboxId, 'E2');
    expect(alert).toMatchObject({
      code: 'ExchangeSyncDuplicateRecordsError',
      message:
        'One or more duplicate records were found in Mailroom when saving item "Dora Twin" from Exchange to Mailroom. Do you want to continue and create a duplicate record anyway?',
    });
    const lastNames = async () =>
      (
        await f.get<{ items: { lastName: string }[] }>(`/api/contacts?ownerId=${u.userId}&limit=50`)
      ).items.map((c) => c.lastName);
    expect(await lastNames()).not.toContain('Twin');
    await f.post(`/api/alerts/${alert!.id}/decision`, { answer: 'yes' });
    expect((await f.cycle(u.mailboxId)).stats.created).toBe(1);
    expect(await lastNames()).toContain('Twin');

    // Only decision alerts take an answer.
    const malformed = randomUUID();
    await u.dav.put(
      `${addressBook}${malformed}.vcf`,
      `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:${malformed}\r\nFN:\r\nN:;;;;\r\nEND:VCARD\r\n`,
      'text/vcard; charset=utf-8',
    );
    await f.cycle(u.mailboxId);
    const [itemAlert] = (
      await f.get<{ items: AlertView[] }>(`/api/alerts?mailboxId=${u.mailboxId}&entryId=MR7`)
    ).items;
    const refused = await f.t.request('POST', `/api/alerts/${itemAlert!.id}/decision`, {
      body: { answer: 'yes' },
    });
    expect(refused.status).toBe(400);
  });
});

describe('ACT cycle bookkeeping and collections', () => {
  it("reaching the transient failure limit disables ACT with MR15-act, carrying the failure's diagnosis", async () => {
    await f.patch('/api/organization', { transientFailureLimit: 2 });
    try {
      const u = await f.userWithActMailbox('Fay Failing', ['Salesperson']);
      const closed = await f.post<{ id: string }>('/api/email-server-profiles', {
        name: 'Closed DAV',
        serverType: 'caldav-carddav',
        actUrl: 'https://127.0.0.1:1/',
        credentialSource: 'mailbox',
      });
      await f.patch(`/api/mailboxes/${u.mailboxId}`, { emailServerProfileId: closed.id });
      await f.t.database.db
        .updateTable('mailboxes')
        .set({ actStatus: 'success', actEnabled: true, testCompletedAt: new Date() })
        .where('id', '=', u.mailboxId)
        .execute();
      expect(await f.cycle(u.mailboxId)).toMatchObject({
        outcome: 'failure',
        entryId: 'A15-act',
        disabled: false,
      });
      expect(await f.cycle(u.mailboxId)).toMatchObject({ outcome: 'failure', disabled: true });
      const alerts = (
        await f.get<{ items: (AlertView & { diagnosis: { summary: string } | null })[] }>(
          `/api/alerts?mailboxId=${u.mailboxId}&limit=50`,
        )
      ).items;
      const limit = alerts.find((alert) => alert.entryId === 'MR15-act');
      const cause = alerts.find((alert) => alert.entryId === 'A15-act');
      expect(limit?.diagnosis?.summary).toEqual(expect.any(String));
      expect(limit?.diagnosis).toEqual(cause?.diagnosis);
      const mailbox = await f.get<{ lastSyncErrorCode: string | null; lastSyncStartedAt: string | null }>(
        `/api/mailboxes/${u.mailboxId}`,
      );
      expect(mailbox.lastSyncErrorCode).toBe(cause?.code);
      expect(mailbox.lastSyncStartedAt).not.toBeNull();
    } finally {
      await f.patch('/api/organization', { transientFailureLimit: 10 });
    }
  });

  it('records the last sync on the mailbox and keeps new items in the collections chosen first', async () => {
    const u = await f.userWithActMailbox('Cole Collections', ['Salesperson']);
    const outcome = await f.cycle(u.mailboxId);
    expect(outcome.outcome).toBe('success');
    const mailbox = await f.get<{ lastSyncStartedAt: string | null; lastSuccessfulSyncAt: string | null }>(
      `/api/mailboxes/${u.mailboxId}`,
    );
    expect(mailbox.lastSyncStartedAt).not.toBeNull();
    expect(mailbox.lastSuccessfulSyncAt).not.toBeNull();

    const chosen = async () =>
      f.t.database.db
        .selectFrom('actCollections')
        .select(['url', 'primaryFor'])
        .where('mailboxId', '=', u.mailboxId)
        .execute();
    const before = await chosen();
    const kinds = before.flatMap((row) => row.primaryFor).sort();
    expect(kinds).toEqual(['appointment', 'contact', 'task']);

    // Another calendar appears on the server, sorting before the chosen one: new items still go where they went.
    const home = u.dav.url('');
    const mk = await u.dav.request(
      'MKCALENDAR',
      `${home}000-extra/`,
      '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Extra</D:displayname></D:prop></D:set></C:mkcalendar>',
      { 'content-type': 'application/xml' },
    );
    expect(mk.status).toBe(201);
    await f.post('/api/tasks', { subject: 'Where do I go', ownerId: u.userId, ownerType: 'user' });
    expect((await f.cycle(u.mailboxId)).stats.pushed).toBe(1);
    const after = await chosen();
    const taskHome = (rows: typeof before) => rows.find((row) => row.primaryFor.includes('task'))?.url;
    expect(taskHome(after)).toBe(taskHome(before));
    const link = await f.t.database.db
      .selectFrom('actItemLinks')
      .select('collectionUrl')
      .where('mailboxId', '=', u.mailboxId)
      .where('subject', '=', 'Where do I go')
      .executeTakeFirstOrThrow();
    expect(link.collectionUrl).toBe(taskHome(before));
    // The new calendar is synchronized too.
    expect(after.some((row) => row.url.endsWith('/000-extra/'))).toBe(true);
  });
});
