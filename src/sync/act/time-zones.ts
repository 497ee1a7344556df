/**
 * Wall-clock times in an IANA time zone ↔ instants, through Intl, for
 * iCalendar items that name a zone by its IANA id without carrying its
 * VTIMEZONE definition (allowed in practice, common from some clients).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** Whether Intl knows the zone id. */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in milliseconds. */
export function zoneOffsetMs(zone: string, instantMs: number): number {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(instantMs))
      .map((part) => [part.type, part.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

export interface WallTime {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The UTC fields of an instant, read as a wall-clock time (the zone's offset already added, or UTC itself). */
export function wallFields(instant: Date): WallTime {
  return {
    year: instant.getUTCFullYear(),
    month: instant.getUTCMonth() + 1,
    day: instant.getUTCDate(),
    hour: instant.getUTCHours(),
    minute: instant.getUTCMinutes(),
    second: instant.getUTCSeconds(),
  };
}

/** The instant of a wall-clock time in a zone (a time in a DST gap moves forward, as clients do). */
export function zonedToUtc(wall: WallTime, zone: string): Date {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const first = zoneOffsetMs(zone, guess);
  let utc = guess - first;
  const second = zoneOffsetMs(zone, utc);
  if (second !== first) utc = guess - second;
  return new Date(utc);
}
