import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import {
  anyOverlap,
  bookedRanges,
  expandableRule,
  type SeriesTimes,
} from '../../../src/sync/act/occurrences.js';

const at = (iso: string) => new Date(iso);
const hour = 60 * 60_000;

function series(overrides: Partial<SeriesTimes> = {}): SeriesTimes {
  return {
    scheduledStart: at('2026-03-02T09:00:00Z'),
    scheduledEnd: at('2026-03-02T10:00:00Z'),
    timeZone: null,
    recurrenceRule: 'FREQ=WEEKLY;COUNT=10',
    recurrenceExdates: [],
    recurrenceExceptions: [],
    ...overrides,
  };
}

const year = { start: at('2026-01-01T00:00:00Z'), end: at('2027-01-01T00:00:00Z') };
const starts = (ranges: { start: Date }[]) => ranges.map((range) => range.start.toISOString());

describe('bookedRanges', () => {
  it('books one range for a single appointment, and nothing outside the window', () => {
    const single = series({ recurrenceRule: null });
    expect(starts(bookedRanges(single, year))).toEqual(['2026-03-02T09:00:00.000Z']);
    expect(bookedRanges(single, { start: at('2026-04-01T00:00:00Z'), end: year.end })).toEqual([]);
  });

  it('expands a weekly series, skipping EXDATEs and moving changed occurrences', () => {
    const ranges = bookedRanges(
      series({
        recurrenceRule: 'FREQ=WEEKLY;COUNT=4',
        recurrenceExdates: ['2026-03-09T09:00:00.000Z'],
        recurrenceExceptions: [
          {
            recurrenceId: '2026-03-16T09:00:00.000Z',
            scheduledStart: at('2026-03-17T14:00:00Z'),
            scheduledEnd: at('2026-03-17T15:00:00Z'),
            subject: null,
            location: null,
            description: null,
            status: null,
          },
          {
            recurrenceId: '2026-03-23T09:00:00.000Z',
            scheduledStart: null,
            scheduledEnd: null,
            subject: null,
            location: null,
            description: null,
            status: 'canceled',
          },
        ],
      }),
      year,
    );
    expect(starts(ranges)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-17T14:00:00.000Z']);
  });

  it('keeps the wall-clock time of a zoned series across a daylight-saving change', () => {
    // 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC from 29 March 2026.
    const berlin = series({
      scheduledStart: at('2026-03-23T08:00:00Z'),
      scheduledEnd: at('2026-03-23T09:00:00Z'),
      timeZone: 'Europe/Berlin',
      recurrenceRule: 'FREQ=WEEKLY;COUNT=2',
    });
    expect(starts(bookedRanges(berlin, year))).toEqual([
      '2026-03-23T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });

  it('stops at the window end or the occurrence limit for a rule without an end', () => {
    const daily = series({ recurrenceRule: 'FREQ=DAILY' });
    expect(bookedRanges(daily, { start: year.start, end: at('2026-03-05T00:00:00Z') })).toHaveLength(3);
    expect(bookedRanges(daily, { start: year.start, end: at('2099-01-01T00:00:00Z') }, 50)).toHaveLength(50);
  });

  it('expands a daily series begun years ago as cheaply as a new one, and finds its occurrences', () => {
    const old = series({
      scheduledStart: at('2020-01-06T09:00:00Z'),
      scheduledEnd: at('2020-01-06T09:30:00Z'),
      recurrenceRule: 'FREQ=DAILY;INTERVAL=3',
    });
    const window = { start: at('2030-05-01T00:00:00Z'), end: at('2030-05-08T00:00:00Z') };
    const found = starts(bookedRanges(old, window, 20));
    // Every third day from 6 January 2020, at 09:00 UTC.
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const start of found) {
      expect(start.endsWith('T09:00:00.000Z')).toBe(true);
      expect((at(start).getTime() - at('2020-01-06T09:00:00Z').getTime()) % (3 * 24 * hour)).toBe(0);
    }
    const weekly = series({
      scheduledStart: at('1990-01-01T09:00:00Z'),
      scheduledEnd: at('1990-01-01T10:00:00Z'),
      recurrenceRule: 'FREQ=WEEKLY',
    });
    expect(
      starts(bookedRanges(weekly, { start: at('2030-01-07T00:00:00Z'), end: at('2030-01-08T00:00:00Z') }, 5)),
    ).toEqual(['2030-01-07T09:00:00.000Z']);
  });

  it('reads UNTIL in UTC for a zoned series: the last occurrence is kept', () => {
    const berlin = series({
      scheduledStart: at('2024-03-04T08:00:00Z'),
      scheduledEnd: at('2024-03-04T09:00:00Z'),
      timeZone: 'Europe/Berlin',
      recurrenceRule: 'FREQ=WEEKLY;UNTIL=20240318T080000Z',
    });
    expect(
      starts(bookedRanges(berlin, { start: at('2024-01-01T00:00:00Z'), end: at('2025-01-01T00:00:00Z') })),
    ).toEqual(['2024-03-04T08:00:00.000Z', '2024-03-11T08:00:00.000Z', '2024-03-18T08:00:00.000Z']);
  });

  it('counts by the first occurrence a rule that may never produce a date, or a zone Intl does not know', () => {
    const started = performance.now();
    const never = series({ recurrenceRule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31' });
    expect(starts(bookedRanges(never, year))).toEqual(['2026-03-02T09:00:00.000Z']);
    expect(performance.now() - started).toBeLessThan(1000);
    const outlook = series({ timeZone: 'W. Europe Standard Time' });
    expect(starts(bookedRanges(outlook, year))).toEqual(['2026-03-02T09:00:00.000Z']);
  });

  it('expands only rules whose occurrences always come', () => {
    const rule = (text: string) => expandableRule(ICAL.Recur.fromString(text));
    expect(rule('FREQ=WEEKLY;BYDAY=MO,WE')).toBe(true);
    expect(rule('FREQ=MONTHLY;BYDAY=2TU')).toBe(true);
    expect(rule('FREQ=MONTHLY;BYMONTHDAY=31')).toBe(true);
    expect(rule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29')).toBe(true);
    expect(rule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30')).toBe(false);
    expect(rule('FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=13')).toBe(false);
    expect(rule('FREQ=YEARLY;BYDAY=20MO')).toBe(false);
    expect(rule('FREQ=HOURLY')).toBe(false);
    expect(rule('FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO')).toBe(false);
  });

  it('falls back to the first occurrence for a rule it cannot read', () => {
    expect(starts(bookedRanges(series({ recurrenceRule: 'FREQ=SOMETIMES' }), year))).toEqual([
      '2026-03-02T09:00:00.000Z',
    ]);
  });
});

describe('anyOverlap', () => {
  const range = (start: string, hours: number) => ({
    start: at(start),
    end: new Date(at(start).getTime() + hours * hour),
  });

  it('finds an overlap anywhere in two sorted lists; touching ends do not count', () => {
    const weekly = bookedRanges(series(), year);
    expect(anyOverlap(weekly, [range('2026-03-16T09:30:00Z', 1)])).toBe(true);
    expect(anyOverlap(weekly, [range('2026-03-16T10:00:00Z', 1)])).toBe(false);
    expect(anyOverlap(weekly, [range('2026-03-17T09:00:00Z', 1)])).toBe(false);
    expect(
      anyOverlap(
        [range('2026-01-01T00:00:00Z', 1000), range('2026-01-01T01:00:00Z', 1)],
        [range('2026-02-01T00:00:00Z', 1)],
      ),
    ).toBe(true);
  });
});
