import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { chooseCollections } from '../../../src/connectors/dav/collection-choice.js';
import {
  blocksTime,
  contactAddresses,
  holdVerdict,
  overlaps,
  timesChanged,
} from '../../../src/sync/act/decisions.js';
import { parseCalendarItem, renderCalendarItem } from '../../../src/sync/act/ical-mapping.js';
import { recordHash, type AppointmentData } from '../../../src/sync/act/records.js';
import { zoneOffsetMs } from '../../../src/sync/act/time-zones.js';
import { buildVTimezone, offsetChanges } from '../../../src/sync/act/vtimezone.js';

const series: AppointmentData = {
  subject: 'Weekly sync',
  description: null,
  location: 'Room 2',
  // 10:00 in Paris (CET, +01:00)
  scheduledStart: new Date('2030-03-04T09:00:00Z'),
  scheduledEnd: new Date('2030-03-04T10:00:00Z'),
  isAllDay: false,
  timeZone: 'Europe/Paris',
  recurrenceRule: 'FREQ=WEEKLY;COUNT=10',
  // the 2030-03-18 occurrence is removed
  recurrenceExdates: ['2030-03-18T09:00:00.000Z'],
  recurrenceExceptions: [
    {
      // 2030-04-01 is after the change to summer time: 10:00 CEST = 08:00 UTC; moved to 14:00 CEST
      recurrenceId: '2030-04-01T08:00:00.000Z',
      scheduledStart: new Date('2030-04-01T12:00:00Z'),
      scheduledEnd: new Date('2030-04-01T13:00:00Z'),
      subject: 'Weekly sync (moved)',
      location: null,
      description: null,
      status: 'busy',
    },
  ],
  status: 'busy',
  priority: null,
  organizer: { address: 'alice@example.test', displayName: null },
  requiredAttendees: [{ address: 'bob@example.test', displayName: 'Bob' }],
  optionalAttendees: [],
};

describe('VTIMEZONE from an IANA zone', () => {
  const zones = [
    'Europe/Paris',
    'America/New_York',
    'Australia/Sydney',
    'Asia/Kolkata',
    'Asia/Tokyo',
    'Pacific/Chatham',
    'America/Sao_Paulo',
  ];

  it.each(zones)('%s: ical.js turns wall times into the same instants as Intl through 2030–2032', (zone) => {
    const timezone = new ICAL.Timezone(buildVTimezone(zone, 2030, 2032));
    let checked = 0;
    for (let at = Date.UTC(2030, 0, 1); at < Date.UTC(2033, 0, 1); at += 5 * 3_600_000 + 17 * 60_000) {
      const offset = zoneOffsetMs(zone, at);
      // Wall times around a change are ambiguous or missing; the rest must map back exactly.
      if (
        zoneOffsetMs(zone, at - 3 * 3_600_000) !== offset ||
        zoneOffsetMs(zone, at + 3 * 3_600_000) !== offset
      )
        continue;
      const wall = new Date(at + offset);
      const local = ICAL.Time.fromData(
        {
          year: wall.getUTCFullYear(),
          month: wall.getUTCMonth() + 1,
          day: wall.getUTCDate(),
          hour: wall.getUTCHours(),
          minute: wall.getUTCMinutes(),
          second: 0,
        },
        timezone,
      );
      expect(local.toUnixTime() * 1000, wall.toISOString()).toBe(at);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it('writes yearly rules for a zone with summer time, one observance for a zone without', () => {
    const paris = buildVTimezone('Europe/Paris', 2030).toString();
    expect(paris).toContain('TZID:Europe/Paris');
    expect(paris).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU');
    expect(paris).toContain('RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU');
    expect(paris).toMatch(/BEGIN:DAYLIGHT[\s\S]*TZOFFSETTO:\+0200/);
    const tokyo = buildVTimezone('Asia/Tokyo', 2030);
    expect(tokyo.getAllSubcomponents()).toHaveLength(1);
    expect(tokyo.toString()).toContain('TZOFFSETTO:+0900');
  });

  it('finds offset changes to the minute', () => {
    const [spring] = offsetChanges('Europe/Paris', Date.UTC(2030, 2, 1), Date.UTC(2030, 3, 1));
    expect(new Date(spring!.at).toISOString()).toBe('2030-03-31T01:00:00.000Z');
    expect(spring).toMatchObject({ from: 3_600_000, to: 7_200_000 });
  });
});

describe('zoned events', () => {
  it('are written with TZID and a VTIMEZONE, not UTC, and read back with their zone', () => {
    const text = renderCalendarItem({ type: 'appointment', data: series }, 'zoned-1');
    expect(text).toContain('BEGIN:VTIMEZONE');
    expect(text).toContain('DTSTART;TZID=Europe/Paris:20300304T100000');
    expect(text).toContain('DTEND;TZID=Europe/Paris:20300304T110000');
    expect(text).not.toMatch(/DTSTART:\d{8}T\d{6}Z/);
    expect(text.indexOf('BEGIN:VTIMEZONE')).toBeLessThan(text.indexOf('BEGIN:VEVENT'));
    const parsed = parseCalendarItem(text);
    expect(parsed.record.type).toBe('appointment');
    expect(parsed.record.data).toMatchObject({
      timeZone: 'Europe/Paris',
      scheduledStart: series.scheduledStart,
      scheduledEnd: series.scheduledEnd,
    });
  });

  it('an unknown zone id falls back to UTC times', () => {
    const text = renderCalendarItem(
      { type: 'appointment', data: { ...series, timeZone: 'Not/A_Zone', recurrenceExceptions: [] } },
      'zoned-2',
    );
    expect(text).toContain('DTSTART:20300304T090000Z');
    expect(text).not.toContain('BEGIN:VTIMEZONE');
  });
});

describe('recurrence exceptions', () => {
  it('are written as RECURRENCE-ID components of the same resource, and EXDATEs in the zone', () => {
    const text = renderCalendarItem({ type: 'appointment', data: series }, 'series-1');
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(text).toContain('RECURRENCE-ID;TZID=Europe/Paris:20300401T100000');
    expect(text).toContain('EXDATE;TZID=Europe/Paris:20300318T100000');
    expect(text).toContain('SUMMARY:Weekly sync (moved)');
    expect(text).toContain('DTSTART;TZID=Europe/Paris:20300401T140000');
    // the new override carries the series' attendees
    expect(text.match(/ATTENDEE/g)).toHaveLength(2);
  });

  it('round-trip: what is written reads back as the same record (and hash)', () => {
    const text = renderCalendarItem({ type: 'appointment', data: series }, 'series-2');
    const parsed = parseCalendarItem(text);
    expect(parsed.exceptions).toBe(1);
    const data = parsed.record.data as AppointmentData;
    expect(data.recurrenceExdates).toEqual(series.recurrenceExdates);
    expect(data.recurrenceExceptions).toEqual([{ ...series.recurrenceExceptions[0], location: 'Room 2' }]);
  });

  it('edits an override in place and removes one Mailroom no longer has', () => {
    const base = renderCalendarItem({ type: 'appointment', data: series }, 'series-3').replace(
      'SUMMARY:Weekly sync (moved)',
      'SUMMARY:Weekly sync (moved)\r\nX-CLIENT-NOTE:kept',
    );
    const moved = {
      ...series,
      recurrenceExceptions: [
        { ...series.recurrenceExceptions[0]!, subject: 'Renamed' },
        {
          recurrenceId: '2030-03-11T09:00:00.000Z',
          scheduledStart: null,
          scheduledEnd: null,
          subject: null,
          location: null,
          description: null,
          status: 'canceled' as const,
        },
      ],
    };
    const edited = renderCalendarItem({ type: 'appointment', data: moved }, 'series-3', { base });
    expect(edited).toContain('X-CLIENT-NOTE:kept');
    expect(edited).toContain('SUMMARY:Renamed');
    expect(edited).toMatch(/RECURRENCE-ID;TZID=Europe\/Paris:20300311T100000[\s\S]*STATUS:CANCELLED/);
    const dropped = renderCalendarItem(
      { type: 'appointment', data: { ...series, recurrenceExceptions: [] } },
      'series-3',
      { base: edited },
    );
    expect(dropped).not.toContain('RECURRENCE-ID');
    expect(dropped.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  });

  it('reads a moved and a cancelled occurrence written by another client (all-day series)', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//other//EN',
      'BEGIN:VEVENT',
      'UID:allday-1',
      'DTSTAMP:20300101T000000Z',
      'DTSTART;VALUE=DATE:20300105',
      'DTEND;VALUE=DATE:20300106',
      'RRULE:FREQ=DAILY;COUNT=5',
      'SUMMARY:Offsite',
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:allday-1',
      'DTSTAMP:20300101T000000Z',
      'LAST-MODIFIED:20300102T000000Z',
      'RECURRENCE-ID;VALUE=DATE:20300107',
      'DTSTART;VALUE=DATE:20300110',
      'DTEND;VALUE=DATE:20300111',
      'SUMMARY:Offsite',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:allday-1',
      'DTSTAMP:20300101T000000Z',
      'RECURRENCE-ID;VALUE=DATE:20300108',
      'DTSTART;VALUE=DATE:20300108',
      'SUMMARY:Offsite',
      'STATUS:CANCELLED',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const parsed = parseCalendarItem(text);
    const data = parsed.record.data as AppointmentData;
    expect(parsed.lastModified?.toISOString()).toBe('2030-01-02T00:00:00.000Z');
    expect(data.isAllDay).toBe(true);
    expect(
      data.recurrenceExceptions.map((e) => [e.recurrenceId, e.scheduledStart?.toISOString(), e.status]),
    ).toEqual([
      ['2030-01-07T00:00:00.000Z', '2030-01-10T00:00:00.000Z', 'busy'],
      ['2030-01-08T00:00:00.000Z', '2030-01-08T00:00:00.000Z', 'canceled'],
    ]);
    const again = renderCalendarItem(parsed.record, 'allday-1', { base: text });
    expect(again).toContain('RECURRENCE-ID;VALUE=DATE:20300107');
    expect(again).toContain('RECURRENCE-ID;VALUE=DATE:20300108');
  });

  it('an appointment without exceptions hashes as before exceptions existed', () => {
    const plain = { ...series, recurrenceExceptions: [] };
    const { recurrenceExceptions: _gone, ...older } = plain;
    expect(recordHash({ type: 'appointment', data: plain })).toBe(
      recordHash({ type: 'appointment', data: older as AppointmentData }),
    );
    expect(recordHash({ type: 'appointment', data: series })).not.toBe(
      recordHash({ type: 'appointment', data: plain }),
    );
  });
});

describe('decision alerts: holding an item', () => {
  const none = { entry: null, etag: null, answer: null };

  it('asks when a check finds something and nothing was answered', () => {
    expect(holdVerdict('"v1"', none, 'E1')).toEqual({ kind: 'ask', entry: 'E1' });
    expect(holdVerdict('"v1"', none, null)).toEqual({ kind: 'proceed', answered: false });
  });

  it('an answer counts for the version it was given for', () => {
    expect(holdVerdict('"v1"', { entry: 'E2', etag: '"v1"', answer: 'yes' }, 'E2')).toEqual({
      kind: 'proceed',
      answered: true,
    });
    expect(holdVerdict('"v1"', { entry: 'E2', etag: '"v1"', answer: 'no' }, 'E2')).toEqual({ kind: 'skip' });
    expect(holdVerdict('"v1"', { entry: 'E2', etag: '"v1"', answer: null }, 'E2')).toEqual({ kind: 'wait' });
    // changed on the server since: a new question
    expect(holdVerdict('"v2"', { entry: 'E2', etag: '"v1"', answer: 'no' }, 'E2')).toEqual({
      kind: 'ask',
      entry: 'E2',
    });
    expect(holdVerdict('"v2"', { entry: 'E1', etag: '"v1"', answer: 'no' }, null)).toEqual({
      kind: 'proceed',
      answered: false,
    });
  });

  it('overlap, blocking statuses, moves and duplicate addresses', () => {
    const at = (h: number) => new Date(Date.UTC(2030, 0, 1, h));
    expect(overlaps({ start: at(9), end: at(10) }, { start: at(9), end: at(11) })).toBe(true);
    expect(overlaps({ start: at(9), end: at(10) }, { start: at(10), end: at(11) })).toBe(false);
    expect(['busy', 'tentative', 'outOfOffice'].every(blocksTime)).toBe(true);
    expect(['free', 'canceled', 'completed'].some(blocksTime)).toBe(false);
    expect(
      timesChanged(
        { scheduledStart: at(9), scheduledEnd: at(10) },
        { scheduledStart: at(9), scheduledEnd: at(10) },
      ),
    ).toBe(false);
    expect(
      timesChanged(
        { scheduledStart: at(9), scheduledEnd: at(10) },
        { scheduledStart: at(9), scheduledEnd: at(11) },
      ),
    ).toBe(true);
    expect(
      contactAddresses({
        emailAddress1: ' Ann@Example.org',
        emailAddress2: 'ann@example.org',
        emailAddress3: '',
      }),
    ).toEqual(['ann@example.org']);
  });
});

describe('where new items go', () => {
  const calendar = (url: string, components?: string[]) => ({ url, components });

  it('events to the first calendar taking VEVENT, tasks to a task list, contacts to the first address book', () => {
    const choice = chooseCollections({
      calendars: [
        calendar('/u/b-work/', ['VEVENT']),
        calendar('/u/a-todo/', ['VTODO']),
        calendar('/u/c/', ['VEVENT', 'VTODO']),
      ],
      addressBooks: [{ url: '/u/z-book/' }, { url: '/u/m-book/' }],
      previous: {},
    });
    expect(choice).toEqual({
      appointment: { url: '/u/b-work/' },
      task: { url: '/u/a-todo/' },
      contact: { url: '/u/m-book/' },
    });
  });

  it('tasks go to the event calendar when it takes them and there is no task list', () => {
    const choice = chooseCollections({
      calendars: [calendar('/u/a/', ['VEVENT', 'VTODO']), calendar('/u/b/', ['VTODO', 'VJOURNAL'])],
      addressBooks: [],
      previous: {},
    });
    expect(choice.task).toEqual({ url: '/u/a/' });
    expect(choice.contact).toEqual({ create: 'addressBook' });
  });

  it('keeps the earlier choice while it exists, and creates what is missing', () => {
    const calendars = [calendar('/u/a/', ['VEVENT', 'VTODO']), calendar('/u/b/')];
    expect(
      chooseCollections({ calendars, addressBooks: [], previous: { appointment: '/u/b' } }).appointment,
    ).toEqual({
      url: '/u/b/',
    });
    expect(
      chooseCollections({ calendars, addressBooks: [], previous: { appointment: '/u/gone/' } }).appointment,
    ).toEqual({
      url: '/u/a/',
    });
    expect(chooseCollections({ calendars: [], addressBooks: [], previous: {} })).toEqual({
      appointment: { create: 'calendar' },
      task: { create: 'calendar' },
      contact: { create: 'addressBook' },
    });
    expect(
      chooseCollections({ calendars: [calendar('/u/e/', ['VEVENT'])], addressBooks: [], previous: {} }).task,
    ).toEqual({ create: 'tasks' });
  });
});
