/**
 * The calendar bench/act loads: `count` events as iCalendar objects, one per
 * resource, the way calendar clients store them. Deterministic for a seed.
 *
 * - Every event has its own two-hour slot (one hour long), so first
 *   occurrences never overlap and no scheduling-conflict question (E1) holds
 *   anything back: the bench measures synchronization, not decisions.
 * - ~15% recurring (weekly or daily, COUNT 5–20); a third of those carry a
 *   moved occurrence (RECURRENCE-ID override) and a cancelled one (EXDATE).
 * - ~10% all-day (marked free, as clients do for all-day items).
 * - Timed events rotate through several zones, each object carrying its
 *   VTIMEZONE (built from the IANA zone), with the user as organizer and one
 *   attendee.
 */
import { buildVTimezone } from '../../src/sync/act/vtimezone.js';
import { zoneOffsetMs } from '../../src/sync/act/time-zones.js';
import { seededRandom } from '../../test/support/seeded-random.js';

export const ZONES = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'] as const;

export interface BenchEvent {
  readonly uid: string;
  readonly fileName: string;
  readonly body: string;
  readonly recurring: boolean;
  readonly withExceptions: boolean;
  readonly allDay: boolean;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function utcStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

function dateStamp(ms: number): string {
  return utcStamp(ms).slice(0, 8);
}

/** A time property in a zone (local wall time with TZID), or UTC. */
function zoned(name: string, ms: number, zone: string): string {
  if (zone === 'UTC') return `${name}:${utcStamp(ms)}Z`;
  return `${name};TZID=${zone}:${utcStamp(ms + zoneOffsetMs(zone, ms))}`;
}

const zoneBlocks = new Map<string, string>();
function vtimezone(zone: string): string[] {
  if (zone === 'UTC') return [];
  let block = zoneBlocks.get(zone);
  if (block === undefined) {
    block = buildVTimezone(zone, 2030, 2032).toString();
    zoneBlocks.set(zone, block);
  }
  return block.split(/\r?\n/);
}

const BASE = Date.UTC(2030, 0, 1, 6);
const SLOT_MS = 2 * 3_600_000;

export function benchEvent(index: number, organizer: string, seed: number, revision = 0): BenchEvent {
  const next = seededRandom(seed * 100_003 + index);
  const uid = `bench-${seed}-${index}`;
  const roll = next();
  const allDay = roll < 0.1;
  const recurring = !allDay && roll < 0.25;
  const withExceptions = recurring && next() < 0.34;
  const zone = ZONES[index % ZONES.length]!;
  const start = BASE + index * SLOT_MS;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Mailroom bench//act//EN',
    ...(allDay ? [] : vtimezone(zone)),
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20300101T000000Z',
    `LAST-MODIFIED:2030010${(revision % 9) + 1}T000000Z`,
    `SUMMARY:Bench event ${index}${revision > 0 ? ` (edit ${revision})` : ''}`,
    `LOCATION:Room ${index % 40}`,
    `ORGANIZER;CN=Bench Owner:mailto:${organizer}`,
    `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:guest${index % 50}@example.org`,
  ];
  if (allDay) {
    lines.push(`DTSTART;VALUE=DATE:${dateStamp(start)}`, `DTEND;VALUE=DATE:${dateStamp(start + 86_400_000)}`);
    lines.push('TRANSP:TRANSPARENT');
  } else {
    lines.push(zoned('DTSTART', start, zone), zoned('DTEND', start + 3_600_000, zone));
  }
  let override: string[] = [];
  if (recurring) {
    const weekly = next() < 0.7;
    const count = 5 + Math.floor(next() * 16);
    lines.push(`RRULE:FREQ=${weekly ? 'WEEKLY' : 'DAILY'};COUNT=${count}`);
    if (withExceptions) {
      const step = (weekly ? 7 : 1) * 86_400_000;
      lines.push(zoned('EXDATE', start + 3 * step, zone));
      const moved = start + 2 * step;
      override = [
        'BEGIN:VEVENT',
        `UID:${uid}`,
        'DTSTAMP:20300101T000000Z',
        zoned('RECURRENCE-ID', moved, zone),
        zoned('DTSTART', moved + 3_600_000, zone),
        zoned('DTEND', moved + 2 * 3_600_000, zone),
        `SUMMARY:Bench event ${index} (moved)`,
        'END:VEVENT',
      ];
    }
  }
  lines.push('END:VEVENT', ...override, 'END:VCALENDAR', '');
  return { uid, fileName: `${uid}.ics`, body: lines.join('\r\n'), recurring, withExceptions, allDay };
}

export function benchCalendar(count: number, organizer: string, seed: number): BenchEvent[] {
  return Array.from({ length: count }, (_, index) => benchEvent(index, organizer, seed));
}
