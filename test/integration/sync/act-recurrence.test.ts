// Recurring events with exceptions and zoned events, both ways, against the real Radicale, with Debian's
// python3-caldav/python3-icalendar as the independent client that writes and reads them.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionsOf, createActFixture, type ActFixture } from '../../support/act.js';
import { readTestServers } from '../../support/mail-users.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../support/clients/caldav_series.py', import.meta.url));

interface AppointmentView {
  id: string;
  subject: string;
  scheduledStart: string | null;
  scheduledEnd: string | null;
  timeZone: string | null;
  recurrenceRule: string | null;
}
interface Occurrences {
  recurrenceRule: string | null;
  timeZone: string | null;
  recurrenceExdates: string[];
  exceptions: {
    recurrenceId: string;
    scheduledStart: string | null;
    scheduledEnd: string | null;
    subject: string | null;
    status: string | null;
  }[];
}
interface PythonRead {
  start: string;
  tzid: string;
  zone: string;
  rrule: string;
  exdates: string[];
  overrides: { recurrenceId: string; start: string; summary: string; status: string }[];
}

let f: ActFixture;

beforeAll(async () => {
  f = await createActFixture();
});

afterAll(async () => {
  await f?.close();
});

async function python(args: string[]): Promise<unknown> {
  return JSON.parse((await run(PYTHON, [SCRIPT, ...args])).stdout) as unknown;
}

describe('recurring events with exceptions, and time zones', () => {
  it('a series with a moved and a cancelled occurrence goes both ways', async () => {
    const u = await f.userWithActMailbox('Act Series', ['Salesperson']);
    await f.cycle(u.mailboxId);
    const { calendar } = await collectionsOf(f, u.mailboxId);
    const base = [readTestServers().dav.httpUrl, u.account.username, u.account.password, calendar];

    // python-caldav → Mailroom
    const { uid } = (await python(['write', ...base])) as { uid: string };
    const pulled = await f.cycle(u.mailboxId);
    expect(pulled.stats.created).toBe(1);
    const items = (
      await f.get<{ items: AppointmentView[] }>(`/api/appointments?ownerId=${u.userId}&limit=50`)
    ).items;
    const series = items.find((a) => a.subject === 'Py series');
    expect(series).toMatchObject({
      timeZone: 'Europe/Berlin',
      recurrenceRule: 'FREQ=WEEKLY;COUNT=6',
      scheduledStart: '2030-10-07T07:00:00.000Z',
    });
    // One record for the series, not one per override.
    expect(items.filter((a) => a.subject.startsWith('Py series'))).toHaveLength(1);
    const occurrences = await f.get<Occurrences>(`/api/appointments/${series!.id}/occurrences`);
    expect(occurrences.recurrenceExdates).toEqual(['2030-10-28T08:00:00.000Z']);
    expect(occurrences.exceptions).toEqual([
      expect.objectContaining({
        recurrenceId: '2030-10-21T07:00:00.000Z',
        scheduledStart: '2030-10-21T13:00:00.000Z',
        scheduledEnd: '2030-10-21T14:00:00.000Z',
        subject: 'Py series (afternoon)',
      }),
    ]);

    // Mailroom → python-caldav: cancel the fifth occurrence, move the sixth, remove the second.
    await f.t.request('PUT', `/api/appointments/${series!.id}/occurrences/2030-11-04T08:00:00.000Z`, {
      body: { status: 'canceled' },
    });
    const moved = await f.t.request<Occurrences>(
      'PUT',
      `/api/appointments/${series!.id}/occurrences/${encodeURIComponent('2030-11-11T08:00:00Z')}`,
      {
        body: {
          scheduledStart: '2030-11-12T08:00:00Z',
          scheduledEnd: '2030-11-12T09:30:00Z',
          subject: 'Py series (Tuesday)',
        },
      },
    );
    expect(moved.status).toBe(200);
    expect(moved.body.exceptions.map((e) => e.recurrenceId)).toEqual([
      '2030-10-21T07:00:00.000Z',
      '2030-11-04T08:00:00.000Z',
      '2030-11-11T08:00:00.000Z',
    ]);
    const removed = await f.t.request(
      'DELETE',
      `/api/appointments/${series!.id}/occurrences/2030-10-14T07:00:00.000Z`,
    );
    expect(removed.status).toBe(204);
    expect(
      (await f.get<Occurrences>(`/api/appointments/${series!.id}/occurrences`)).recurrenceExdates,
    ).toEqual(['2030-10-14T07:00:00.000Z', '2030-10-28T08:00:00.000Z']);

    const pushed = await f.cycle(u.mailboxId);
    expect(pushed.stats).toMatchObject({ pushed: 1, conflicts: 0 });
    const read = (await python(['read', ...base, uid])) as PythonRead;
    expect(read).toMatchObject({
      start: '2030-10-07T07:00:00Z',
      tzid: 'Europe/Berlin',
      rrule: 'FREQ=WEEKLY;COUNT=6',
      exdates: ['2030-10-14T07:00:00Z', '2030-10-28T08:00:00Z'],
    });
    expect(read.overrides).toEqual([
      {
        recurrenceId: '2030-10-21T07:00:00Z',
        start: '2030-10-21T13:00:00Z',
        summary: 'Py series (afternoon)',
        status: 'CONFIRMED',
      },
      {
        recurrenceId: '2030-11-04T08:00:00Z',
        start: '2030-11-04T08:00:00Z',
        summary: 'Py series',
        status: 'CANCELLED',
      },
      {
        recurrenceId: '2030-11-11T08:00:00Z',
        start: '2030-11-12T08:00:00Z',
        summary: 'Py series (Tuesday)',
        status: 'CONFIRMED',
      },
    ]);

    // Settled: nothing moves on the next cycle.
    const quiet = await f.cycle(u.mailboxId);
    expect(quiet.stats).toMatchObject({ created: 0, updated: 0, pushed: 0 });
  });

  it('an appointment created in Mailroom with a time zone is written with TZID and VTIMEZONE', async () => {
    const u = await f.userWithActMailbox('Act Zoned', ['Salesperson']);
    const created = await f.post<{ id: string }>('/api/appointments', {
      subject: 'New York breakfast',
      // 08:30 in New York (EDT, -04:00)
      scheduledStart: '2030-06-12T12:30:00Z',
      scheduledEnd: '2030-06-12T13:30:00Z',
      timeZone: 'America/New_York',
      recurrenceRule: 'FREQ=MONTHLY;COUNT=8',
      organizer: [{ partyType: 'user', partyId: u.userId, address: u.account.email }],
      ownerId: u.userId,
      ownerType: 'user',
    });
    expect((await f.cycle(u.mailboxId)).stats.pushed).toBe(1);
    const link = await f.t.database.db
      .selectFrom('actItemLinks')
      .select(['href', 'uid'])
      .where('recordId', '=', created.id)
      .executeTakeFirstOrThrow();
    const text = (await u.dav.getText(
      new URL(new URL(link.href).pathname, readTestServers().dav.httpUrl).toString(),
    ))!;
    expect(text).toContain('TZID:America/New_York');
    expect(text).toContain('DTSTART;TZID=America/New_York:20300612T083000');
    expect(text).not.toMatch(/DTSTART:[0-9T]+Z/);

    // The independent client sees the same instant in the same zone, also in winter (EST, -05:00).
    const { calendar } = await collectionsOf(f, u.mailboxId);
    const read = (await python([
      'read',
      readTestServers().dav.httpUrl,
      u.account.username,
      u.account.password,
      calendar,
      link.uid!,
    ])) as PythonRead;
    expect(read).toMatchObject({ start: '2030-06-12T12:30:00Z', tzid: 'America/New_York' });

    // Read back from the server, the zone stays.
    const again = await f.cycle(u.mailboxId);
    expect(again.stats.conflicts).toBe(0);
    expect((await f.get<AppointmentView>(`/api/appointments/${created.id}`)).timeZone).toBe(
      'America/New_York',
    );
  });

  it('refuses occurrence changes on an appointment that does not recur', async () => {
    const u = await f.userWithActMailbox('Act Single', ['Salesperson']);
    const single = await f.post<{ id: string }>('/api/appointments', {
      subject: 'Once',
      scheduledStart: '2030-06-12T12:30:00Z',
      scheduledEnd: '2030-06-12T13:30:00Z',
      ownerId: u.userId,
      ownerType: 'user',
    });
    const response = await f.t.request<{ code: string }>(
      'PUT',
      `/api/appointments/${single.id}/occurrences/2030-06-12T12:30:00Z`,
      { body: { subject: 'x' } },
    );
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('MR_ERR_VALIDATION');
    const badId = await f.t.request('DELETE', `/api/appointments/${single.id}/occurrences/yesterday`);
    expect(badId.status).toBe(400);
  });
});
