/**
 * The time ranges a recurring appointment books, for the scheduling-conflict
 * check (E1). Pure.
 *
 * A series is expanded in its own time zone's wall-clock time, so a weekly
 * 09:00 meeting stays at 09:00 across a daylight-saving change, and every
 * occurrence is turned into an instant afterwards. EXDATEs and cancelled
 * occurrences book nothing; a moved occurrence books its new time. Expansion
 * stops at the window's end or after `limit` occurrences, whichever comes
 * first, so a rule without an end costs a bounded amount of work.
 */
import ICAL from 'ical.js';
import { blocksTime } from './decisions.js';
import type { AppointmentData } from './records.js';
import { zonedToUtc, zoneOffsetMs } from './time-zones.js';

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

function touches(range: TimeRange, window: TimeRange): boolean {
  return range.start.getTime() < window.end.getTime() && window.start.getTime() < range.end.getTime();
}

/** The series' start as wall-clock time in its zone, as ical.js's floating time. */
function floatingStart(start: Date, zone: string | null): ICAL.Time {
  const local = new Date(start.getTime() + (zone ? zoneOffsetMs(zone, start.getTime()) : 0));
  return ICAL.Time.fromData({
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    isDate: false,
  });
}

function instantOf(time: ICAL.Time, zone: string | null): Date {
  return zone
    ? zonedToUtc(time, zone)
    : new Date(Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second));
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
  if (!appointment.recurrenceRule) return touches(single, window) ? [single] : [];

  let rule: ICAL.Recur;
  try {
    rule = ICAL.Recur.fromString(appointment.recurrenceRule);
  } catch {
    // A rule ical.js cannot read: the first occurrence is all that is known.
    return touches(single, window) ? [single] : [];
  }
  const duration = end.getTime() - start.getTime();
  const skipped = new Set(appointment.recurrenceExdates);
  const exceptions = new Map(appointment.recurrenceExceptions.map((entry) => [entry.recurrenceId, entry]));
  const ranges: TimeRange[] = [];
  const iterator = rule.iterator(floatingStart(start, appointment.timeZone));
  for (let count = 0; count < limit; count++) {
    const next = iterator.next();
    if (!next) break;
    const occurrenceStart = instantOf(next, appointment.timeZone);
    if (occurrenceStart.getTime() >= window.end.getTime()) break;
    const id = occurrenceStart.toISOString();
    if (skipped.has(id) || exceptions.has(id)) continue;
    const range = { start: occurrenceStart, end: new Date(occurrenceStart.getTime() + duration) };
    if (touches(range, window)) ranges.push(range);
  }
  // Moved or changed occurrences book their own time, unless cancelled or free.
  for (const exception of appointment.recurrenceExceptions) {
    if (exception.status !== null && !blocksTime(exception.status)) continue;
    const movedStart = exception.scheduledStart ?? new Date(exception.recurrenceId);
    const movedEnd = exception.scheduledEnd ?? new Date(movedStart.getTime() + duration);
    const range = { start: movedStart, end: movedEnd };
    if (movedEnd.getTime() > movedStart.getTime() && touches(range, window)) ranges.push(range);
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
    if (a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime()) return true;
    if (a.end.getTime() <= b.end.getTime()) i++;
    else j++;
  }
  return false;
}
