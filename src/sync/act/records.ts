/**
 * The synchronized fields of appointments, tasks and contacts, as plain data:
 * what the mappings read from and write to iCalendar and vCard, and what the
 * record hash covers (a record whose hash differs from the one stored on its
 * link changed in Mailroom since the last synchronization).
 */
import { createHash } from 'node:crypto';

export const APPOINTMENT_STATUSES = [
  'free',
  'tentative',
  'completed',
  'canceled',
  'busy',
  'outOfOffice',
] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
export const TASK_STATUSES = [
  'notStarted',
  'inProgress',
  'waitingOnSomeoneElse',
  'completed',
  'canceled',
  'deferred',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type Priority = 'low' | 'normal' | 'high';

export interface PartyData {
  readonly address: string;
  readonly displayName: string | null;
}

export interface AppointmentData {
  readonly subject: string;
  readonly description: string | null;
  readonly location: string | null;
  readonly scheduledStart: Date | null;
  readonly scheduledEnd: Date | null;
  readonly isAllDay: boolean;
  /** IANA time zone the item is scheduled in; null = UTC */
  readonly timeZone: string | null;
  /** RRULE value without the "RRULE:" prefix */
  readonly recurrenceRule: string | null;
  /** EXDATE instants, UTC ISO strings, sorted */
  readonly recurrenceExdates: readonly string[];
  /** overridden occurrences (RECURRENCE-ID components), sorted by recurrenceId */
  readonly recurrenceExceptions: readonly AppointmentException[];
  readonly status: AppointmentStatus;
  readonly priority: Priority | null;
  readonly organizer: PartyData | null;
  readonly requiredAttendees: readonly PartyData[];
  readonly optionalAttendees: readonly PartyData[];
}

/**
 * One occurrence of a series that differs from the series: moved, renamed,
 * or cancelled (status 'canceled'). Identified by its original start
 * (RECURRENCE-ID) as a UTC ISO instant; an all-day series uses midnight UTC
 * of the date. Null fields other than the times mean "as the series".
 */
export interface AppointmentException {
  readonly recurrenceId: string;
  readonly scheduledStart: Date | null;
  readonly scheduledEnd: Date | null;
  readonly subject: string | null;
  readonly location: string | null;
  readonly description: string | null;
  readonly status: AppointmentStatus | null;
}

export interface TaskData {
  readonly subject: string;
  readonly description: string | null;
  /** due date */
  readonly scheduledEnd: Date | null;
  readonly percentComplete: number | null;
  readonly status: TaskStatus;
  readonly priority: Priority | null;
  /** when it was completed */
  readonly actualEnd: Date | null;
}

export interface ContactData {
  readonly firstName: string | null;
  readonly lastName: string;
  readonly emailAddress1: string | null;
  readonly emailAddress2: string | null;
  readonly emailAddress3: string | null;
  readonly telephone: string | null;
  readonly mobilePhone: string | null;
  readonly jobTitle: string | null;
  readonly companyName: string | null;
  readonly address1Line1: string | null;
  readonly address1City: string | null;
  readonly address1StateOrProvince: string | null;
  readonly address1PostalCode: string | null;
  readonly address1Country: string | null;
}

export type RecordData =
  | { readonly type: 'appointment'; readonly data: AppointmentData }
  | { readonly type: 'task'; readonly data: TaskData }
  | { readonly type: 'contact'; readonly data: ContactData };

/** A stable hash of the synchronized fields (key order and Date representation fixed). */
export function recordHash(record: RecordData): string {
  return createHash('sha256')
    .update(stableJson(hashable(record)))
    .digest('hex')
    .slice(0, 32);
}

/**
 * An appointment without exceptions hashes as it did before exceptions were
 * synchronized, so links written then do not all look changed after an upgrade.
 */
function hashable(record: RecordData): unknown {
  if (record.type !== 'appointment') return record;
  // Typed loosely on purpose: data written before exceptions existed has no such key.
  const exceptions: readonly unknown[] | undefined = record.data.recurrenceExceptions;
  if (exceptions !== undefined && exceptions.length > 0) return record;
  const { recurrenceExceptions: _none, ...rest } = record.data;
  return { type: record.type, data: rest };
}

/** Exceptions in their canonical order (by original start), so equal sets hash alike. */
export function sortExceptions(list: readonly AppointmentException[]): AppointmentException[] {
  return [...list].sort((a, b) =>
    a.recurrenceId < b.recurrenceId ? -1 : a.recurrenceId > b.recurrenceId ? 1 : 0,
  );
}

function stableJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Text shown for an item in alerts and item-level failures. */
export function itemName(record: RecordData): string {
  if (record.type === 'contact') {
    return [record.data.firstName, record.data.lastName].filter(Boolean).join(' ');
  }
  return record.data.subject;
}
