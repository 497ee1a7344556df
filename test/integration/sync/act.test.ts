// Two-way ACT sync against the real Radicale: events, tasks and contacts created on each side appear on the
// other within one cycle; edits and deletes flow both ways; conflicts, malformed items and missing privileges.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionsOf, createActFixture, vcard, vevent, vtodo, type ActFixture } from '../../support/act.js';
import type { AlertView } from '../../support/sync.js';
import { readTestServers } from '../../support/mail-users.js';

interface Page<T> {
  items: T[];
}
interface AppointmentView {
  id: string;
  subject: string;
  location: string | null;
  scheduledStart: string | null;
  scheduledEnd: string | null;
  isAllDay: boolean;
  timeZone: string | null;
  recurrenceRule: string | null;
  organizer: { address: string | null; partyType: string | null; partyId: string | null }[];
  ownerId: string;
}
interface TaskView {
  id: string;
  subject: string;
  status: string;
  percentComplete: number | null;
  scheduledEnd: string | null;
  priority: string | null;
  ownerId: string;
}
interface ContactView {
  id: string;
  firstName: string | null;
  lastName: string;
  emailAddress1: string | null;
  companyName: string | null;
  ownerId: string;
}
let f: ActFixture;

beforeAll(async () => {
  f = await createActFixture();
});

afterAll(async () => {
  await f?.close();
});

async function links(mailboxId: string) {
  return f.t.database.db.selectFrom('actItemLinks').selectAll().where('mailboxId', '=', mailboxId).execute();
}

async function hrefOf(mailboxId: string, recordId: string): Promise<string> {
  const link = (await links(mailboxId)).find((row) => row.recordId === recordId);
  expect(link, `a link for ${recordId}`).toBeDefined();
  return new URL(new URL(link!.href).pathname, readTestServers().dav.httpUrl).toString();
}

async function appointmentsOf(userId: string): Promise<AppointmentView[]> {
  return (await f.get<Page<AppointmentView>>(`/api/appointments?ownerId=${userId}&limit=200`)).items;
}
async function tasksOf(userId: string): Promise<TaskView[]> {
  return (await f.get<Page<TaskView>>(`/api/tasks?ownerId=${userId}&limit=200`)).items;
}
async function contactsOf(userId: string): Promise<ContactView[]> {
  return (await f.get<Page<ContactView>>(`/api/contacts?ownerId=${userId}&limit=200`)).items;
}
async function alertsOf(mailboxId: string): Promise<AlertView[]> {
  return (await f.get<Page<AlertView>>(`/api/alerts?mailboxId=${mailboxId}&limit=200`)).items;
}

describe('ACT two-way sync with Radicale', () => {
  it('creates, edits and deletes events, tasks and contacts in both directions', async () => {
    const u = await f.userWithActMailbox('Act Alice', ['Salesperson']);
    // Mailroom side: an appointment the user organizes, a task and a contact the user owns.
    const appointment = await f.post<AppointmentView>('/api/appointments', {
      subject: 'Quarterly review',
      location: 'Room 4',
      scheduledStart: '2030-03-05T09:00:00Z',
      scheduledEnd: '2030-03-05T10:00:00Z',
      recurrenceRule: 'FREQ=WEEKLY;COUNT=4',
      organizer: [{ partyType: 'user', partyId: u.userId, address: u.account.email }],
      requiredAttendees: [{ address: 'guest@example.org', displayName: 'Guest' }],
      ownerId: u.userId,
      ownerType: 'user',
    });
    const task = await f.post<TaskView>('/api/tasks', {
      subject: 'Send the proposal',
      scheduledEnd: '2030-03-10T17:00:00Z',
      percentComplete: 20,
      status: 'inProgress',
      priority: 'high',
      ownerId: u.userId,
      ownerType: 'user',
    });
    const contact = await f.post<ContactView>('/api/contacts', {
      firstName: 'Nora',
      lastName: 'Quill',
      emailAddress1: 'nora@example.org',
      telephone: '+1 555 0100',
      companyName: 'Quill & Co',
      address1City: 'Springfield',
      ownerId: u.userId,
      ownerType: 'user',
    });
    // An appointment the user only owns (not organizer nor required attendee) stays out (the default filter).
    const notMine = await f.post<AppointmentView>('/api/appointments', {
      subject: 'Someone else meeting',
      scheduledStart: '2030-03-06T09:00:00Z',
      scheduledEnd: '2030-03-06T10:00:00Z',
      organizer: [{ address: 'other@example.org' }],
      ownerId: u.userId,
      ownerType: 'user',
    });

    const first = await f.cycle(u.mailboxId);
    expect(first).toMatchObject({ outcome: 'success' });
    expect(first.stats.pushed).toBe(3);
    const { calendar, addressBook } = await collectionsOf(f, u.mailboxId);

    // Mailroom → server
    const eventText = await u.dav.getText(await hrefOf(u.mailboxId, appointment.id));
    expect(eventText).toContain('SUMMARY:Quarterly review');
    expect(eventText).toContain('RRULE:FREQ=WEEKLY;COUNT=4');
    expect(eventText).toContain('DTSTART:20300305T090000Z');
    expect(eventText).toMatch(/ORGANIZER[^\r\n]*:mailto:/);
    const taskText = await u.dav.getText(await hrefOf(u.mailboxId, task.id));
    expect(taskText).toContain('BEGIN:VTODO');
    expect(taskText).toContain('PERCENT-COMPLETE:20');
    expect(taskText).toContain('STATUS:IN-PROCESS');
    expect(taskText).toContain('PRIORITY:1');
    const cardText = await u.dav.getText(await hrefOf(u.mailboxId, contact.id));
    expect(cardText).toContain('N:Quill;Nora;;;');
    expect(cardText).toContain('ORG:Quill & Co');
    expect((await links(u.mailboxId)).some((link) => link.recordId === notMine.id)).toBe(false);

    // Server → Mailroom, by another client.
    const eventUid = randomUUID();
    expect(
      (
        await u.dav.put(
          `${calendar}${eventUid}.ics`,
          vevent(eventUid, {
            summary: 'Dentist',
            start: '20300401T080000Z',
            end: '20300401T083000Z',
            extra: ['LOCATION:Main street'],
          }),
        )
      ).status,
    ).toBe(201);
    const taskUid = randomUUID();
    await u.dav.put(
      `${calendar}${taskUid}.ics`,
      vtodo(taskUid, {
        summary: 'Buy stamps',
        due: '20300402T120000Z',
        percent: 50,
        status: 'IN-PROCESS',
        priority: 9,
      }),
    );
    const cardUid = randomUUID();
    await u.dav.put(
      `${addressBook}${cardUid}.vcf`,
      vcard(cardUid, { first: 'Otto', last: 'Brenner', email: 'otto@example.org', org: 'Brenner GmbH' }),
      'text/vcard; charset=utf-8',
    );

    const second = await f.cycle(u.mailboxId);
    expect(second).toMatchObject({ outcome: 'success' });
    expect(second.stats.created).toBe(3);
    const dentist = (await appointmentsOf(u.userId)).find((a) => a.subject === 'Dentist');
    expect(dentist).toMatchObject({
      location: 'Main street',
      scheduledStart: '2030-04-01T08:00:00.000Z',
      scheduledEnd: '2030-04-01T08:30:00.000Z',
      ownerId: u.userId,
    });
    const stamps = (await tasksOf(u.userId)).find((t) => t.subject === 'Buy stamps');
    expect(stamps).toMatchObject({
      status: 'inProgress',
      percentComplete: 50,
      priority: 'low',
      scheduledEnd: '2030-04-02T12:00:00.000Z',
    });
    const otto = (await contactsOf(u.userId)).find((c) => c.lastName === 'Brenner');
    expect(otto).toMatchObject({
      firstName: 'Otto',
      emailAddress1: 'otto@example.org',
      companyName: 'Brenner GmbH',
    });

    // A third cycle with no change does nothing.
    const quiet = await f.cycle(u.mailboxId);
    expect(quiet.stats).toMatchObject({ created: 0, updated: 0, pushed: 0, deleted: 0, deletedOnServer: 0 });

    // Edits both ways: Mailroom edits the task, the server edits the contact created in Mailroom.
    await f.patch(`/api/tasks/${task.id}`, { status: 'completed', percentComplete: 100 });
    const noraHref = await hrefOf(u.mailboxId, contact.id);
    const nora = (await u.dav.getText(noraHref))!;
    await u.dav.put(
      noraHref,
      nora.replace('ORG:Quill & Co', 'ORG:Quill Partners'),
      'text/vcard; charset=utf-8',
    );
    const third = await f.cycle(u.mailboxId);
    expect(third.stats).toMatchObject({ updated: 1, pushed: 1 });
    expect(await u.dav.getText(await hrefOf(u.mailboxId, task.id))).toContain('STATUS:COMPLETED');
    expect((await f.get<ContactView>(`/api/contacts/${contact.id}`)).companyName).toBe('Quill Partners');

    // Deletes both ways: the server deletes Dentist, Mailroom deletes Otto.
    const dentistHref = await hrefOf(u.mailboxId, dentist!.id);
    const ottoHref = await hrefOf(u.mailboxId, otto!.id);
    expect(await u.dav.delete(dentistHref)).toBeLessThan(300);
    await f.del(`/api/contacts/${otto!.id}`);
    const fourth = await f.cycle(u.mailboxId);
    expect(fourth.stats).toMatchObject({ deleted: 1, deletedOnServer: 1 });
    expect((await f.t.request('GET', `/api/appointments/${dentist!.id}`)).status).toBe(404);
    expect(await u.dav.getText(ottoHref)).toBeUndefined();
    expect(await u.dav.list(addressBook)).toHaveLength(1);
  });

  it('a conflict (both sides edited) goes to the newer change and records the loser as E5', async () => {
    const u = await f.userWithActMailbox('Act Conflict', ['Salesperson']);
    const appointment = await f.post<AppointmentView>('/api/appointments', {
      subject: 'Original',
      scheduledStart: '2030-05-01T09:00:00Z',
      scheduledEnd: '2030-05-01T10:00:00Z',
      organizer: [{ partyType: 'user', partyId: u.userId, address: u.account.email }],
      ownerId: u.userId,
      ownerType: 'user',
    });
    const task = await f.post<TaskView>('/api/tasks', {
      subject: 'Task original',
      ownerId: u.userId,
      ownerType: 'user',
    });
    await f.cycle(u.mailboxId);
    const eventHref = await hrefOf(u.mailboxId, appointment.id);
    const taskHref = await hrefOf(u.mailboxId, task.id);

    // The appointment: server edit stamped an hour ago, Mailroom edit now → Mailroom wins.
    const hourAgo = new Date(Date.now() - 3_600_000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const serverEvent = (await u.dav.getText(eventHref))!
      .replace('SUMMARY:Original', 'SUMMARY:Server version')
      .replace(/LAST-MODIFIED:[0-9TZ]+/, `LAST-MODIFIED:${hourAgo}`);
    expect((await u.dav.put(eventHref, serverEvent)).status).toBeLessThan(300);
    await f.patch(`/api/appointments/${appointment.id}`, { subject: 'Mailroom version' });

    // The task: Mailroom edit first, then a server edit stamped in the future → the server wins.
    await f.patch(`/api/tasks/${task.id}`, { subject: 'Task Mailroom version' });
    const later = new Date(Date.now() + 3_600_000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const serverTask = (await u.dav.getText(taskHref))!
      .replace('SUMMARY:Task original', 'SUMMARY:Task server version')
      .replace(/LAST-MODIFIED:[0-9TZ]+/, `LAST-MODIFIED:${later}`);
    await u.dav.put(taskHref, serverTask);

    const outcome = await f.cycle(u.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success' });
    expect(outcome.stats.conflicts).toBe(2);
    expect(await u.dav.getText(eventHref)).toContain('SUMMARY:Mailroom version');
    expect((await f.get<AppointmentView>(`/api/appointments/${appointment.id}`)).subject).toBe(
      'Mailroom version',
    );
    expect((await f.get<TaskView>(`/api/tasks/${task.id}`)).subject).toBe('Task server version');

    const conflicts = (await alertsOf(u.mailboxId)).filter((a) => a.entryId === 'E5');
    expect(conflicts).toHaveLength(2);
    expect(conflicts[0]).toMatchObject({
      code: 'ErrorIrresolvableConflict',
      level: 'warning',
      resolvedAt: null,
    });
    const taskLink = (await links(u.mailboxId)).find((link) => link.recordId === task.id);
    expect(taskLink?.conflict).toMatchObject({
      winner: 'server',
      reason: 'newerEdit',
      loser: { type: 'task', data: { subject: 'Task Mailroom version' } },
    });

    // Both settled: the next cycle changes nothing.
    const next = await f.cycle(u.mailboxId);
    expect(next.stats).toMatchObject({ updated: 0, pushed: 0, conflicts: 0 });
  });

  it('a malformed item becomes an item failure (MR6/MR7) and the rest syncs', async () => {
    const u = await f.userWithActMailbox('Act Malformed', ['Salesperson']);
    await f.cycle(u.mailboxId);
    const { calendar, addressBook } = await collectionsOf(f, u.mailboxId);
    const good = randomUUID();
    await u.dav.put(
      `${calendar}${good}.ics`,
      vevent(good, { summary: 'Fine event', start: '20300601T100000Z', end: '20300601T110000Z' }),
    );
    // Radicale refuses to serve a collection holding unparsable text (500 for the whole listing), so the broken
    // items are ones it stores but Mailroom cannot map: a time zone neither defined nor known, a card with no name.
    const brokenUid = randomUUID();
    const brokenHref = `${calendar}${brokenUid}.ics`;
    const put = await u.dav.put(
      brokenHref,
      vevent(brokenUid, { summary: 'On Mars', start: '20300601T100000', end: '20300601T110000' }).replace(
        /DT(START|END):/g,
        'DT$1;TZID=Mars/Olympus_Mons:',
      ),
    );
    expect(put.status).toBe(201);
    const cardUid = randomUUID();
    const cardPut = await u.dav.put(
      `${addressBook}${cardUid}.vcf`,
      `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:${cardUid}\r\nFN:\r\nN:;;;;\r\nNOTE:nameless\r\nEND:VCARD\r\n`,
      'text/vcard; charset=utf-8',
    );
    expect(cardPut.status).toBe(201);

    const outcome = await f.cycle(u.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success' });
    expect(outcome.stats.failed).toBe(2);
    expect((await appointmentsOf(u.userId)).map((a) => a.subject)).toContain('Fine event');
    const failures = (await links(u.mailboxId)).filter((link) => link.status === 'failed');
    expect(failures.map((link) => link.lastErrorCode).sort()).toEqual([
      'MailroomMalformedICalendar',
      'MailroomMalformedVCard',
    ]);
    const alerts = (await alertsOf(u.mailboxId)).filter((a) => a.channel === 'item');
    expect(alerts.map((a) => a.code).sort()).toEqual([
      'MailroomMalformedICalendar',
      'MailroomMalformedVCard',
    ]);
    expect(alerts.find((a) => a.code === 'MailroomMalformedICalendar')?.itemReference).toContain(brokenUid);

    // Not read again until it changes.
    const again = await f.cycle(u.mailboxId);
    expect(again.stats.failed).toBe(0);
  });

  it('an owner whose role lacks ACT privileges fails the cycle with UserPrivilegeError', async () => {
    const salesperson = await f.get<{ privileges: Record<string, string> }>(
      `/api/roles/${f.roles.Salesperson}`,
    );
    const limited = await f.post<{ id: string }>('/api/roles', {
      name: `No contact writes ${randomUUID().slice(0, 6)}`,
      privileges: Object.fromEntries(
        Object.entries(salesperson.privileges).filter(
          ([key]) => !['contact:create', 'contact:write', 'contact:delete'].includes(key),
        ),
      ),
    });
    const u = await f.userWithActMailbox('Act Limited', []);
    await f.post(`/api/users/${u.userId}/roles`, { roleId: limited.id });
    const outcome = await f.cycle(u.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'failure', code: 'UserPrivilegeError', entryId: 'A2' });
    const [alert] = (await alertsOf(u.mailboxId)).filter((a) => a.code === 'UserPrivilegeError');
    expect(alert?.message).toContain(
      'An internal Mailroom error occurred while synchronizing appointments, contacts, and tasks for the mailbox',
    );
    const mailbox = await f.get<{ actStatus: string; actEnabled: boolean }>(`/api/mailboxes/${u.mailboxId}`);
    expect(mailbox).toMatchObject({ actStatus: 'failure', actEnabled: false });
  });
});
