/**
 * The time ranges a recurring appointment books, for the scheduling-conflict
 * check (E1). Pure.
 *
 * A series is expanded in its own time zone's wall-clock time, so a weekly
 * 09:00 meeting stays at 09:00 across a daylight-saving change, and every
 * occurrence is turned into an instant afterwards. EXDATEs and cancelled
 * occurrences book nothing; a moved occurrence books its new time.
 *
 * The work is bounded whatever the rule says:
 * - only rules whose every occurrence is found in a bounded number of steps
 *   are expanded (`expandableRule`: daily to yearly, by day, month day and
 *   month, no combination that may never happen); any other series counts
 *   by its first occurrence, as does a series whose zone Intl does not know
 *   (its wall-clock times cannot be placed);
 * - a series without COUNT starts from its last whole period before the
 *   window (periods keep the rule's phase), so a daily meeting begun years
 *   ago costs as little as a new one;
 * - expansion stops at the window's end or after `limit` steps.
 */
import ICAL from 'ical.js';
import { blocksTime, overlaps } from './decisions.js';
import type { AppointmentData } from './records.js';
import { isKnownZone, wallFields, zonedToUtc, zoneOffsetMs } from './time-zones.js';

export interface TimeRange {
  readonly start: Date;
  readonly end: Date;
}

export type SeriesTimes = Pick<
  AppointmentData,
  | 'scheduledStart'
  | 'scheduledEnd'
  | 'timeZone'
  | 'recurrenceRule'
  | 'recurrenceExdates'
  | 'recurrenceExceptions'
>;

/** At most this many occurrences of one series are looked at (a daily series for about three years). */
export const MAX_OCCURRENCES = 1000;

/** An instant as wall-clock time in the zone (UTC without one), as ical.js's floating time. */
function wallTime(instant: Date, zone: string | null): ICAL.Time {
  const local = new Date(instant.getTime() + (zone ? zoneOffsetMs(zone, instant.getTime()) : 0));
  return ICAL.Time.fromData({ ...wallFields(local), isDate: false });
}

function instantOf(time: ICAL.Time, zone: string | null): Date {
  return zone
    ? zonedToUtc(time, zone)
    : new Date(Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second));
}

const DAY_MS = 24 * 60 * 60_000;
const FREQUENCIES: ReadonlySet<string> = new Set(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);
const PARTS: ReadonlySet<string> = new Set(['BYDAY', 'BYMONTH', 'BYMONTHDAY']);
/** The most days each month can have (February in a leap year). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether ical.js finds every occurrence of the rule in a bounded number of
 * steps. A rule that can never produce a date (February 31st, a Monday that
 * must also be the 13th) makes its iterator search forever, so only shapes
 * that always produce one are expanded. Pure.
 */
export function expandableRule(rule: ICAL.Recur): boolean {
  if (!rule.freq || !FREQUENCIES.has(rule.freq)) return false;
  const parts = Object.entries(rule.parts).filter(([, values]) => values !== undefined);
  if (parts.some(([name]) => !PARTS.has(name))) return false;
  const byDay = rule.parts.BYDAY ?? [];
  const byMonthDay = rule.parts.BYMONTHDAY ?? [];
  const months = rule.parts.BYMONTH ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  if (byDay.length > 0 && byMonthDay.length > 0) return false;
  for (const day of byDay) {
    const match = /^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(day);
    if (!match) return false;
    const nth = match[1] === undefined ? 0 : Number(match[1]);
    // "The 2nd Monday" needs a month or year to count in, and a month has at most five.
    if (nth !== 0 && (rule.freq === 'DAILY' || rule.freq === 'WEEKLY' || Math.abs(nth) > 5)) return false;
  }
  if (months.some((month) => !Number.isInteger(month) || month < 1 || month > 12)) return false;
  const longest = Math.max(...months.map((month) => MONTH_DAYS[month - 1]!));
  return byMonthDay.every((day) => Number.isInteger(day) && day !== 0 && day >= -28 && day <= longest);
}

/**
 * Periods of the rule that keep its phase: whole intervals of days or weeks;
 * for monthly and yearly rules whole four-year spans (so month lengths and
 * leap days repeat). Null for rules with COUNT, which must be counted from
 * their start.
 */
function phasePeriod(rule: ICAL.Recur): { days: number } | { years: number } | null {
  if (rule.count) return null;
  const interval = rule.interval > 0 ? rule.interval : 1;
  if (rule.freq === 'DAILY') return { days: interval };
  if (rule.freq === 'WEEKLY') return { days: 7 * interval };
  return { years: 4 * interval };
}

/** The floating start moved forward by whole periods to just before `until` (never past it). */
function skipAhead(start: ICAL.Time, rule: ICAL.Recur, until: number, startMs: number): ICAL.Time {
  const period = phasePeriod(rule);
  if (!period) return start;
  const periodMs = 'days' in period ? period.days * DAY_MS : period.years * 365 * DAY_MS;
  // One period (and a day for daylight saving) of margin, so an occurrence overlapping the window's start is kept.
  const periods = Math.floor((until - startMs - periodMs - DAY_MS) / periodMs);
  if (periods <= 0) return start;
  const moved = start.clone();
  if ('days' in period) moved.adjust(periods * period.days, 0, 0, 0);
  else moved.year += periods * period.years;
  return moved;
}

function readRule(text: string): ICAL.Recur | null {
  try {
    return ICAL.Recur.fromString(text);
  } catch {
    return null;
  }
}

/** UNTIL is written in UTC; the iterator runs in the series' wall-clock time, so it is compared there. */
function untilInWallTime(rule: ICAL.Recur, zone: string): void {
  if (rule.until && !rule.until.isDate) rule.until = wallTime(rule.until.toJSDate(), zone);
}

/**
 * The ranges the appointment books that touch `window`, in order of start.
 * A single appointment books its own range; a series, each occurrence.
 */
export function bookedRanges(
  appointment: SeriesTimes,
  window: TimeRange,
  limit = MAX_OCCURRENCES,
): TimeRange[] {
  const { scheduledStart: start, scheduledEnd: end } = appointment;
  if (!start || !end || end.getTime() <= start.getTime()) return [];
  const single = { start, end };
  if (!appointment.recurrenceRule) return overlaps(single, window) ? [single] : [];

  const zone = appointment.timeZone;
  const rule = readRule(appointment.recurrenceRule);
  // A rule that cannot be read or bounded, or a zone Intl does not know: the first occurrence is what is known.
  if (!rule || !expandableRule(rule) || (zone !== null && !isKnownZone(zone))) {
    return overlaps(single, window) ? [single] : [];
  }
  if (zone !== null) untilInWallTime(rule, zone);
  const duration = end.getTime() - start.getTime();
  const skipped = new Set(appointment.recurrenceExdates);
  const exceptions = new Map(appointment.recurrenceExceptions.map((entry) => [entry.recurrenceId, entry]));
  const ranges: TimeRange[] = [];
  const from = skipAhead(wallTime(start, zone), rule, window.start.getTime(), start.getTime());
  const iterator = rule.iterator(from);
  for (let count = 0; count < limit; count++) {
    const next = iterator.next();
    if (!next) break;
    const occurrenceStart = instantOf(next, zone);
    if (occurrenceStart.getTime() >= window.end.getTime()) break;
    const id = occurrenceStart.toISOString();
    if (skipped.has(id) || exceptions.has(id)) continue;
    const range = { start: occurrenceStart, end: new Date(occurrenceStart.getTime() + duration) };
    if (overlaps(range, window)) ranges.push(range);
  }
  // Moved or changed occurrences book their own time, unless cancelled or free.
  for (const exception of appointment.recurrenceExceptions) {
    if (exception.status !== null && !blocksTime(exception.status)) continue;
    const movedStart = exception.scheduledStart ?? new Date(exception.recurrenceId);
    const movedEnd = exception.scheduledEnd ?? new Date(movedStart.getTime() + duration);
    const range = { start: movedStart, end: movedEnd };
    if (movedEnd.getTime() > movedStart.getTime() && overlaps(range, window)) ranges.push(range);
  }
  return ranges.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** Whether any range of one sorted list overlaps any of the other (touching ends do not). */
export function anyOverlap(first: readonly TimeRange[], second: readonly TimeRange[]): boolean {
  let i = 0;
  let j = 0;
  while (i < first.length && j < second.length) {
    const a = first[i]!;
    const b = second[j]!;
    if (overlaps(a, b)) return true;
    if (a.end.getTime() <= b.end.getTime()) i++;
    else j++;
  }
  return false;
}
