import { describe, expect, it } from 'vitest';
import { anyOverlap, bookedRanges, type SeriesTimes } from '../../../src/sync/act/occurrences.js';

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
