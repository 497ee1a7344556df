/**
 * The checks behind the decision alerts, run before an item from the server
 * becomes (or moves) a record:
 *
 * - E1: the appointment's time overlaps another appointment of the mailbox
 *   owner that books time (busy, tentative, out of office). Series on either
 *   side are expanded (occurrences.ts) over the year from the new
 *   appointment's start: a weekly meeting clashes with a one-off in its third
 *   week, and an occurrence removed or moved away does not clash.
 * - E2: a new contact shares an email address (any of the three) with a
 *   contact already in Mailroom.
 *
 * The rules that decide what to do with the findings are pure
 * (decisions.ts); these are the database look-ups.
 */
import type { Db } from '../../db/connection.js';
import { anyEmailAddressIn } from '../../records/email-addresses.js';
import { blocksTime, contactAddresses } from './decisions.js';
import { anyOverlap, bookedRanges } from './occurrences.js';
import type { AppointmentData, ContactData } from './records.js';
import { exceptionsFromStore } from './store.js';

export interface ConflictingAppointment {
  readonly id: string;
  readonly subject: string;
  readonly scheduledStart: Date | null;
  readonly scheduledEnd: Date | null;
}

/** How far ahead of its start a new appointment's occurrences are checked. */
const CONFLICT_HORIZON_MS = 366 * 24 * 60 * 60_000;
/** At most this many of the owner's appointments are expanded for one check. */
const MAX_CANDIDATES = 500;

/** An appointment of the owner the new time overlaps, if any. */
export async function schedulingConflict(
  db: Db,
  ownerId: string,
  appointment: AppointmentData,
  excludeId: string | undefined,
): Promise<ConflictingAppointment | undefined> {
  const { scheduledStart: start, scheduledEnd: end } = appointment;
  if (!start || !end || end.getTime() <= start.getTime() || !blocksTime(appointment.status)) return undefined;
  const window = appointment.recurrenceRule
    ? { start, end: new Date(start.getTime() + CONFLICT_HORIZON_MS) }
    : { start, end };
  const wanted = bookedRanges(appointment, window);
  if (wanted.length === 0) return undefined;
  const reach = {
    start: wanted[0]!.start,
    end: new Date(Math.max(...wanted.map((range) => range.end.getTime()))),
  };
  const columns = [
    'id',
    'subject',
    'scheduledStart',
    'scheduledEnd',
    'timeZone',
    'recurrenceRule',
    'recurrenceExdates',
    'recurrenceExceptions',
  ] as const;
  const owned = () => {
    let query = db
      .selectFrom('activities')
      .select(columns)
      .where('activityType', '=', 'appointment')
      .where('ownerId', '=', ownerId)
      .where('status', 'in', ['busy', 'tentative', 'outOfOffice'])
      .where('scheduledStart', '<', reach.end);
    if (excludeId !== undefined) query = query.where('id', '!=', excludeId);
    return query;
  };
  // Single appointments within reach, and the series that started before its end, newest first (an
  // owner's old series are the ones most likely over): each list bounded on its own.
  const singles = await owned()
    .where('recurrenceRule', 'is', null)
    .where('scheduledEnd', '>', reach.start)
    .orderBy('scheduledStart')
    .limit(MAX_CANDIDATES)
    .execute();
  const series = await owned()
    .where('recurrenceRule', 'is not', null)
    .orderBy('scheduledStart', 'desc')
    .limit(MAX_CANDIDATES)
    .execute();
  const candidates = [...singles, ...series];
  return candidates.find((candidate) =>
    anyOverlap(
      wanted,
      bookedRanges(
        {
          ...candidate,
          recurrenceExdates: candidate.recurrenceExdates ?? [],
          recurrenceExceptions: exceptionsFromStore(candidate.recurrenceExceptions),
        },
        reach,
      ),
    ),
  );
}

export interface DuplicateContact {
  readonly id: string;
  readonly fullName: string | null;
}

/** Contacts already in Mailroom that share an email address with the new one. */
export async function duplicateContacts(db: Db, contact: ContactData): Promise<DuplicateContact[]> {
  const addresses = contactAddresses(contact);
  if (addresses.length === 0) return [];
  return db
    .selectFrom('contacts')
    .select(['id', 'fullName'])
    .where(anyEmailAddressIn(addresses))
    .limit(10)
    .execute();
}
