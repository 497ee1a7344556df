/**
 * The checks behind the decision alerts, run before an item from the server
 * becomes (or moves) a record:
 *
 * - E1: the appointment's time overlaps another appointment of the mailbox
 *   owner that books time (busy, tentative, out of office). A series is
 *   checked by its first occurrence (the scheduled start and end stored on
 *   the record); occurrences are not expanded.
 * - E2: a new contact shares an email address (any of the three) with a
 *   contact already in Mailroom.
 *
 * The rules that decide what to do with the findings are pure
 * (decisions.ts); these are the database look-ups.
 */
import type { Db } from '../../db/connection.js';
import { anyEmailAddressIn } from '../../records/email-addresses.js';
import { blocksTime, contactAddresses } from './decisions.js';
import type { AppointmentData, ContactData } from './records.js';

export interface ConflictingAppointment {
  readonly id: string;
  readonly subject: string;
  readonly scheduledStart: Date | null;
  readonly scheduledEnd: Date | null;
}

/** An appointment of the owner the new time overlaps, if any. */
export async function schedulingConflict(
  db: Db,
  ownerId: string,
  appointment: AppointmentData,
  excludeId: string | undefined,
): Promise<ConflictingAppointment | undefined> {
  const { scheduledStart: start, scheduledEnd: end } = appointment;
  if (!start || !end || end.getTime() <= start.getTime() || !blocksTime(appointment.status)) return undefined;
  let query = db
    .selectFrom('activities')
    .select(['id', 'subject', 'scheduledStart', 'scheduledEnd'])
    .where('activityType', '=', 'appointment')
    .where('ownerId', '=', ownerId)
    .where('status', 'in', ['busy', 'tentative', 'outOfOffice'])
    .where('scheduledStart', '<', end)
    .where('scheduledEnd', '>', start);
  if (excludeId !== undefined) query = query.where('id', '!=', excludeId);
  return query.orderBy('scheduledStart').limit(1).executeTakeFirst();
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
