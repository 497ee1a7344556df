import { describe, expect, it } from 'vitest';
import { decideItem, newerSide, appointmentInFilter } from '../../../src/sync/act/decisions.js';
import {
  MalformedItemError,
  parseCalendarItem,
  renderCalendarItem,
} from '../../../src/sync/act/ical-mapping.js';
import {
  recordHash,
  type AppointmentData,
  type ContactData,
  type TaskData,
} from '../../../src/sync/act/records.js';
import { parseVCard, renderVCard } from '../../../src/sync/act/vcard-mapping.js';

const appointment: AppointmentData = {
  subject: 'Planning, part 2',
  description: 'Line one\nLine two; with semicolon',
  location: 'Room 1',
  scheduledStart: new Date('2030-07-10T08:00:00Z'),
  scheduledEnd: new Date('2030-07-10T09:30:00Z'),
  isAllDay: false,
  timeZone: null,
  recurrenceRule: 'FREQ=WEEKLY;COUNT=5;BYDAY=WE',
  recurrenceExdates: ['2030-07-17T08:00:00.000Z'],
  recurrenceExceptions: [],
  status: 'tentative',
  priority: 'high',
  organizer: { address: 'alice@example.test', displayName: 'Alice, A.' },
  requiredAttendees: [{ address: 'bob@example.test', displayName: null }],
  optionalAttendees: [{ address: 'carol@example.test', displayName: 'Carol' }],
};

const task: TaskData = {
  subject: 'File the report',
  description: null,
  scheduledEnd: new Date('2030-07-12T17:00:00Z'),
  percentComplete: 40,
  status: 'waitingOnSomeoneElse',
  priority: 'low',
  actualEnd: null,
};

const contact: ContactData = {
  firstName: 'Zoë',
  lastName: 'Ångström',
  emailAddress1: 'zoe@example.test',
  emailAddress2: 'zoe@home.test',
  emailAddress3: null,
  telephone: '+46 8 123',
  mobilePhone: '+46 70 456',
  jobTitle: 'Engineer',
  companyName: 'Nordic AB',
  address1Line1: 'Storgatan 1',
  address1City: 'Stockholm',
  address1StateOrProvince: null,
  address1PostalCode: '111 22',
  address1Country: 'Sweden',
};

function calendar(lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

const BERLIN = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

describe('appointments ↔ VEVENT', () => {
  it('round-trips every mapped field', () => {
    const text = renderCalendarItem({ type: 'appointment', data: appointment }, 'uid-1');
    const parsed = parseCalendarItem(text);
    expect(parsed.uid).toBe('uid-1');
    expect(parsed.record).toEqual({ type: 'appointment', data: appointment });
    expect(recordHash(parsed.record)).toBe(recordHash({ type: 'appointment', data: appointment }));
  });

  it('reads a TZID through the VTIMEZONE the item carries, and keeps it when writing back', () => {
    const text = calendar([
      ...BERLIN,
      'BEGIN:VEVENT',
      'UID:tz-1',
      'DTSTAMP:20300101T000000Z',
      'DTSTART;TZID=Europe/Berlin:20300710T100000',
      'DTEND;TZID=Europe/Berlin:20300710T110000',
      'EXDATE;TZID=Europe/Berlin:20300717T100000',
      'RRULE:FREQ=WEEKLY;COUNT=3',
      'SUMMARY:Summer',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'TRIGGER:-PT15M',
      'END:VALARM',
      'END:VEVENT',
    ]);
    const parsed = parseCalendarItem(text);
    expect(parsed.record.type).toBe('appointment');
    const data = parsed.record.data as AppointmentData;
    expect(data.scheduledStart?.toISOString()).toBe('2030-07-10T08:00:00.000Z');
    expect(data.timeZone).toBe('Europe/Berlin');
    expect(data.recurrenceExdates).toEqual(['2030-07-17T08:00:00.000Z']);
    const again = renderCalendarItem({ type: 'appointment', data: { ...data, subject: 'Summer!' } }, 'tz-1', {
      base: text,
    });
    expect(again).toContain('DTSTART;TZID=Europe/Berlin:20300710T100000');
    expect(again).toContain('BEGIN:VALARM');
    expect(again).toContain('SEQUENCE:1');
    expect(parseCalendarItem(again).record.data).toMatchObject({
      subject: 'Summer!',
      scheduledStart: data.scheduledStart,
    });
  });

  it('reads an IANA TZID without a definition through Intl, in winter and summer', () => {
    const winter = parseCalendarItem(
      calendar(['BEGIN:VEVENT', 'UID:ny', 'DTSTART;TZID=America/New_York:20300115T090000', 'END:VEVENT']),
    );
    expect((winter.record.data as AppointmentData).scheduledStart?.toISOString()).toBe(
      '2030-01-15T14:00:00.000Z',
    );
    const summer = parseCalendarItem(
      calendar(['BEGIN:VEVENT', 'UID:ny', 'DTSTART;TZID=America/New_York:20300715T090000', 'END:VEVENT']),
    );
    expect((summer.record.data as AppointmentData).scheduledStart?.toISOString()).toBe(
      '2030-07-15T13:00:00.000Z',
    );
  });

  it('all-day events are dates (midnight UTC) and stay dates', () => {
    const parsed = parseCalendarItem(
      calendar(['BEGIN:VEVENT', 'UID:day', 'DTSTART;VALUE=DATE:20300301', 'SUMMARY:Holiday', 'END:VEVENT']),
    );
    const data = parsed.record.data as AppointmentData;
    expect(data).toMatchObject({
      isAllDay: true,
      scheduledStart: new Date('2030-03-01T00:00:00Z'),
      scheduledEnd: new Date('2030-03-02T00:00:00Z'),
    });
    const text = renderCalendarItem(parsed.record, 'day');
    expect(text).toContain('DTSTART;VALUE=DATE:20300301');
    expect(text).toContain('DTEND;VALUE=DATE:20300302');
  });

  it('maps the master of a recurring series and counts its overridden occurrences', () => {
    const parsed = parseCalendarItem(
      calendar([
        'BEGIN:VEVENT',
        'UID:series',
        'RECURRENCE-ID:20300108T090000Z',
        'DTSTART:20300108T100000Z',
        'SUMMARY:Moved',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:series',
        'DTSTART:20300101T090000Z',
        'RRULE:FREQ=WEEKLY',
        'SUMMARY:Weekly',
        'END:VEVENT',
      ]),
    );
    expect(parsed.exceptions).toBe(1);
    expect(parsed.record.data).toMatchObject({ subject: 'Weekly', recurrenceRule: 'FREQ=WEEKLY' });
  });

  it('status and transparency: free, completed and canceled', () => {
    for (const status of ['free', 'busy', 'tentative', 'canceled', 'completed', 'outOfOffice'] as const) {
      const text = renderCalendarItem({ type: 'appointment', data: { ...appointment, status } }, 'u');
      expect((parseCalendarItem(text).record.data as AppointmentData).status).toBe(status);
    }
  });

  it('malformed input throws MalformedItemError', () => {
    expect(() => parseCalendarItem('not a calendar')).toThrow(MalformedItemError);
    expect(() => parseCalendarItem(calendar(['BEGIN:VJOURNAL', 'UID:j', 'END:VJOURNAL']))).toThrow(
      /no VEVENT or VTODO/,
    );
    expect(() => parseCalendarItem(calendar(['BEGIN:VEVENT', 'SUMMARY:no uid', 'END:VEVENT']))).toThrow(
      /no UID/,
    );
    expect(() =>
      parseCalendarItem(
        calendar(['BEGIN:VEVENT', 'UID:x', 'DTSTART;TZID=Mars/Base:20300101T100000', 'END:VEVENT']),
      ),
    ).toThrow(/Mars\/Base/);
  });
});

describe('tasks ↔ VTODO', () => {
  it('round-trips due, status, priority and percent complete', () => {
    const text = renderCalendarItem({ type: 'task', data: task }, 'task-1');
    expect(text).toContain('BEGIN:VTODO');
    expect(text).toContain('DUE:20300712T170000Z');
    expect(text).toContain('STATUS:IN-PROCESS');
    expect(text).toContain('PRIORITY:9');
    expect(parseCalendarItem(text).record).toEqual({ type: 'task', data: task });
    const done = {
      ...task,
      status: 'completed' as const,
      percentComplete: 100,
      actualEnd: new Date('2030-07-11T10:00:00Z'),
    };
    expect(parseCalendarItem(renderCalendarItem({ type: 'task', data: done }, 't')).record.data).toEqual(
      done,
    );
  });
});

describe('contacts ↔ vCard', () => {
  it('round-trips names, emails, phones, company and address (non-ASCII too)', () => {
    const text = renderVCard(contact, 'c-1');
    const parsed = parseVCard(text);
    expect(parsed.uid).toBe('c-1');
    expect(parsed.data).toEqual(contact);
  });

  it('changes a card in place and keeps what Mailroom does not map', () => {
    const base = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:keep',
      'FN:Old Name',
      'N:Name;Old;;;',
      'EMAIL:old@example.test',
      'TEL;TYPE=home:111',
      'TEL;TYPE=fax:222',
      'NOTE:keep me',
      'END:VCARD',
    ].join('\r\n');
    const parsed = parseVCard(base);
    expect(parsed.data).toMatchObject({
      firstName: 'Old',
      lastName: 'Name',
      telephone: '111',
      mobilePhone: null,
    });
    const text = renderVCard({ ...parsed.data, lastName: 'New', emailAddress1: 'new@example.test' }, 'keep', {
      base,
    });
    expect(text).toContain('NOTE:keep me');
    expect(text).toContain('TEL;TYPE=fax:222');
    expect(parseVCard(text).data).toMatchObject({
      lastName: 'New',
      emailAddress1: 'new@example.test',
      telephone: '111',
    });
  });

  it('a card without N uses FN; no name at all is malformed', () => {
    expect(parseVCard('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:a\r\nFN:Solo\r\nEND:VCARD').data).toMatchObject({
      firstName: null,
      lastName: 'Solo',
    });
    expect(() => parseVCard('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nEND:VCARD')).toThrow(MalformedItemError);
    expect(() => parseVCard('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD')).toThrow(/no UID/);
    expect(() => parseVCard('garbage')).toThrow(MalformedItemError);
  });
});

describe('sync decisions', () => {
  const link = { etag: '"1"', recordHash: 'h1' };
  const t0 = new Date('2030-01-01T10:00:00Z');
  const t1 = new Date('2030-01-01T11:00:00Z');

  it('one side changed: copy it', () => {
    expect(
      decideItem({
        server: { etag: '"1"', lastModified: null },
        record: { hash: 'h1', updatedAt: t0 },
        link,
      }),
    ).toEqual({ kind: 'none' });
    expect(
      decideItem({
        server: { etag: '"2"', lastModified: null },
        record: { hash: 'h1', updatedAt: t0 },
        link,
      }),
    ).toEqual({ kind: 'pull' });
    expect(
      decideItem({
        server: { etag: '"1"', lastModified: null },
        record: { hash: 'h2', updatedAt: t0 },
        link,
      }),
    ).toEqual({ kind: 'push' });
    expect(decideItem({ server: 'gone', record: { hash: 'h1', updatedAt: t0 }, link })).toEqual({
      kind: 'deleteRecord',
    });
    expect(decideItem({ server: { etag: '"1"', lastModified: null }, record: 'gone', link })).toEqual({
      kind: 'deleteOnServer',
    });
    expect(decideItem({ server: 'gone', record: 'gone', link })).toEqual({ kind: 'forget' });
  });

  it('both edited: the newer change wins; ties and unknown server times go to the server', () => {
    expect(
      decideItem({ server: { etag: '"2"', lastModified: t1 }, record: { hash: 'h2', updatedAt: t0 }, link }),
    ).toEqual({
      kind: 'pull',
      conflict: { winner: 'server', reason: 'newerEdit' },
    });
    expect(
      decideItem({ server: { etag: '"2"', lastModified: t0 }, record: { hash: 'h2', updatedAt: t1 }, link }),
    ).toEqual({
      kind: 'push',
      conflict: { winner: 'mailroom', reason: 'newerEdit' },
    });
    expect(newerSide(t0, t0)).toBe('server');
    expect(newerSide(null, t1)).toBe('server');
  });

  it('an edit wins over a delete', () => {
    expect(decideItem({ server: 'gone', record: { hash: 'h2', updatedAt: t0 }, link }).kind).toBe(
      'recreateOnServer',
    );
    expect(decideItem({ server: { etag: '"2"', lastModified: null }, record: 'gone', link }).kind).toBe(
      'recreateRecord',
    );
  });

  it('the appointment filter: organizer or required attendee, by user link or address', () => {
    const user = { userId: 'u1', addresses: ['Me@Example.test'] };
    const party = (
      participation: string,
      extra: Partial<{ partyType: string; partyId: string; address: string }>,
    ) => ({
      participation,
      partyType: extra.partyType ?? null,
      partyId: extra.partyId ?? null,
      address: extra.address ?? null,
    });
    expect(appointmentInFilter([party('organizer', { partyType: 'user', partyId: 'u1' })], user)).toBe(true);
    expect(appointmentInFilter([party('requiredAttendee', { address: 'me@example.test' })], user)).toBe(true);
    expect(appointmentInFilter([party('optionalAttendee', { address: 'me@example.test' })], user)).toBe(
      false,
    );
    expect(appointmentInFilter([party('organizer', { address: 'other@example.test' })], user)).toBe(false);
  });
});
