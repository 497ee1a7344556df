// An independent client from Debian (python3-caldav) writes an event, a task and a contact into Radicale that
// Mailroom picks up, and reads back what Mailroom wrote.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionsOf, createActFixture, type ActFixture } from '../../support/act.js';
import { readTestServers } from '../../support/mail-users.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../support/clients/caldav_client.py', import.meta.url));
const available = existsSync('/usr/lib/python3/dist-packages/caldav/__init__.py');

let f: ActFixture;

beforeAll(async () => {
  f = await createActFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('ACT sync with python3-caldav as the other client', () => {
  it('has python3-caldav installed (scripts/install-test-servers.sh installs it)', () => {
    expect(available).toBe(true);
  });

  it('picks up what python-caldav wrote, and python-caldav reads what Mailroom wrote', async () => {
    const u = await f.userWithActMailbox('Act Python', ['Salesperson']);
    await f.post('/api/appointments', {
      subject: 'Mailroom event',
      scheduledStart: '2030-09-20T09:00:00Z',
      scheduledEnd: '2030-09-20T10:00:00Z',
      organizer: [{ partyType: 'user', partyId: u.userId, address: u.account.email }],
      ownerId: u.userId,
      ownerType: 'user',
    });
    await f.post('/api/tasks', { subject: 'Mailroom task', ownerId: u.userId, ownerType: 'user' });
    await f.post('/api/contacts', {
      firstName: 'Mia',
      lastName: 'Mailroom',
      ownerId: u.userId,
      ownerType: 'user',
    });
    expect((await f.cycle(u.mailboxId)).stats.pushed).toBe(3);
    const { calendar, addressBook } = await collectionsOf(f, u.mailboxId);
    const args = (mode: string) => [
      SCRIPT,
      mode,
      readTestServers().dav.httpUrl,
      u.account.username,
      u.account.password,
      calendar,
      addressBook,
    ];

    const written = JSON.parse((await run(PYTHON, args('write'))).stdout) as {
      event: string;
      task: string;
      card: string;
    };
    const outcome = await f.cycle(u.mailboxId);
    expect(outcome.stats.created).toBe(3);
    const appointments = (
      await f.get<{
        items: { subject: string; location: string; scheduledStart: string; timeZone: string }[];
      }>(`/api/appointments?ownerId=${u.userId}&limit=50`)
    ).items;
    expect(appointments.find((a) => a.subject === 'Python event')).toMatchObject({
      location: 'Paris',
      scheduledStart: '2030-09-10T12:00:00.000Z',
      timeZone: 'Europe/Paris',
    });
    const tasks = (
      await f.get<{ items: { subject: string; priority: string; percentComplete: number }[] }>(
        `/api/tasks?ownerId=${u.userId}`,
      )
    ).items;
    expect(tasks.find((t) => t.subject === 'Python task')).toMatchObject({
      priority: 'high',
      percentComplete: 10,
    });
    const contacts = (
      await f.get<{ items: { lastName: string; companyName: string }[] }>(`/api/contacts?ownerId=${u.userId}`)
    ).items;
    expect(contacts.find((c) => c.lastName === 'Python')).toMatchObject({ companyName: 'Snake Ltd' });
    expect(written.event).toMatch(/^py-/);

    const read = JSON.parse((await run(PYTHON, args('read'))).stdout) as {
      events: string[];
      todos: string[];
      cards: string[];
    };
    expect(read.events.sort()).toEqual(['Mailroom event', 'Python event']);
    expect(read.todos.sort()).toEqual(['Mailroom task', 'Python task']);
    expect(read.cards.sort()).toEqual(['Mia Mailroom', 'Pia Python']);
  });
});
