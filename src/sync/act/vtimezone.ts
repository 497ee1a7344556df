/**
 * A VTIMEZONE definition for an IANA zone, built from what Intl knows, so
 * that an item Mailroom writes in a zone carries TZID and its definition
 * (RFC 5545 §3.6.5 requires one per TZID used), not UTC times.
 *
 * The zone's offset changes are found by scanning the years around the item
 * (a day at a time, then to the minute). When every year has the same two
 * changes (same month, same "nth or last weekday", same local time), the
 * definition is the usual pair of yearly STANDARD/DAYLIGHT rules; otherwise
 * each change found becomes its own observance. A zone without changes gets
 * one STANDARD observance.
 */
import ICAL from 'ical.js';
import { wallFields, zoneOffsetMs } from './time-zones.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

export interface OffsetChange {
  /** the instant of the change */
  readonly at: number;
  /** offsets from UTC before and after, in ms */
  readonly from: number;
  readonly to: number;
}

/** The offset changes of a zone between two instants, to the minute. */
export function offsetChanges(zone: string, fromMs: number, toMs: number): OffsetChange[] {
  const changes: OffsetChange[] = [];
  let previous = zoneOffsetMs(zone, fromMs);
  for (let day = fromMs; day < toMs; day += DAY_MS) {
    const next = Math.min(day + DAY_MS, toMs);
    const offset = zoneOffsetMs(zone, next);
    if (offset === previous) continue;
    // The change lies in (day, next]: narrow it to the minute.
    let low = day;
    let high = next;
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (middle <= low) break;
      if (zoneOffsetMs(zone, middle) === previous) low = middle;
      else high = middle;
    }
    changes.push({ at: high, from: previous, to: offset });
    previous = offset;
  }
  return changes;
}

interface LocalRule {
  readonly month: number;
  readonly weekday: number;
  /** 1–4, or -1 for the last such weekday of the month */
  readonly nth: number;
  /** also true when nth is 1–4: the date happens to be the month's last such weekday */
  readonly last: boolean;
  readonly minuteOfDay: number;
  readonly from: number;
  readonly to: number;
}

/** The wall-clock time of a change, in the offset in force before it (as VTIMEZONE DTSTART is written). */
function localWall(change: OffsetChange): Date {
  return new Date(change.at + change.from);
}

function ruleOf(change: OffsetChange): LocalRule {
  const wall = localWall(change);
  const day = wall.getUTCDate();
  const daysInMonth = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 0)).getUTCDate();
  return {
    month: wall.getUTCMonth() + 1,
    weekday: wall.getUTCDay(),
    nth: Math.ceil(day / 7),
    last: day + 7 > daysInMonth,
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    from: change.from,
    to: change.to,
  };
}

/** The "nth weekday" every year agrees on, or undefined when the years do not follow one rule. */
function commonRule(rules: readonly LocalRule[]): { nth: number } | undefined {
  const [first] = rules;
  if (!first) return undefined;
  const same = rules.every(
    (rule) =>
      rule.month === first.month &&
      rule.weekday === first.weekday &&
      rule.minuteOfDay === first.minuteOfDay &&
      rule.from === first.from &&
      rule.to === first.to,
  );
  if (!same) return undefined;
  if (rules.every((rule) => rule.last)) return { nth: -1 };
  if (rules.every((rule) => rule.nth === first.nth && rule.nth <= 4)) return { nth: first.nth };
  return undefined;
}

/** An observance starts on a whole minute, as VTIMEZONE writers give it. */
function wallTime(date: Date): ICAL.Time {
  return ICAL.Time.fromData({ ...wallFields(date), second: 0, isDate: false });
}

function observance(
  from: number,
  to: number,
  start: Date,
  kind: 'standard' | 'daylight',
  rule?: { month: number; weekday: number; nth: number },
): ICAL.Component {
  const component = new ICAL.Component(kind);
  component.addPropertyWithValue('dtstart', wallTime(start));
  component.addPropertyWithValue('tzoffsetfrom', ICAL.UtcOffset.fromSeconds(from / 1000));
  component.addPropertyWithValue('tzoffsetto', ICAL.UtcOffset.fromSeconds(to / 1000));
  if (rule) {
    component.addPropertyWithValue(
      'rrule',
      ICAL.Recur.fromString(`FREQ=YEARLY;BYMONTH=${rule.month};BYDAY=${rule.nth}${WEEKDAYS[rule.weekday]}`),
    );
  }
  return component;
}

/**
 * A VTIMEZONE for `zone` that is right for the years `fromYear` to `toYear`
 * (and, for zones with yearly rules, after them while the rules hold).
 */
export function buildVTimezone(
  zone: string,
  fromYear: number,
  toYear: number = fromYear + 2,
): ICAL.Component {
  const first = Math.min(fromYear, toYear) - 1;
  const last = Math.max(fromYear, toYear);
  const start = Date.UTC(first, 0, 1);
  const end = Date.UTC(last + 1, 0, 1);
  const changes = offsetChanges(zone, start, end);
  const component = new ICAL.Component('vtimezone');
  component.addPropertyWithValue('tzid', zone);

  if (changes.length === 0) {
    const offset = zoneOffsetMs(zone, start);
    component.addSubcomponent(observance(offset, offset, new Date(Date.UTC(1970, 0, 1)), 'standard'));
    return component;
  }

  const byYear = new Map<number, OffsetChange[]>();
  for (const change of changes) {
    const year = localWall(change).getUTCFullYear();
    byYear.set(year, [...(byYear.get(year) ?? []), change]);
  }
  const years = [...byYear.values()];
  const yearly =
    byYear.size === last - first + 1 &&
    years.every((list) => list.length === 2) &&
    [0, 1].map((index) => commonRule(years.map((list) => ruleOf(list[index]!))));
  if (yearly && yearly.every((rule) => rule !== undefined)) {
    const firstYear = years[0]!;
    firstYear.forEach((change, index) => {
      const rule = ruleOf(change);
      component.addSubcomponent(
        observance(
          change.from,
          change.to,
          localWall(change),
          change.to > change.from ? 'daylight' : 'standard',
          {
            month: rule.month,
            weekday: rule.weekday,
            nth: yearly[index]!.nth,
          },
        ),
      );
    });
    return component;
  }

  // Irregular changes: the offset at the start, then every change as it happened.
  const initial = changes[0]!.from;
  component.addSubcomponent(observance(initial, initial, new Date(start + initial), 'standard'));
  for (const change of changes) {
    component.addSubcomponent(
      observance(
        change.from,
        change.to,
        localWall(change),
        change.to > change.from ? 'daylight' : 'standard',
      ),
    );
  }
  return component;
}
