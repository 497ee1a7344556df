/**
 * The Mailroom side of ACT sync: reading the records a mailbox synchronizes
 * and writing what came from the server, on behalf of the mailbox owner
 * (every write passes the privilege engine first; a refusal throws
 * ActDeniedError, which fails the cycle with A2/A5), and the link rows.
 */
import type { Db } from '../../db/connection.js';
import { newId } from '../../db/ids.js';
import type {
  ActRecordType,
  Participation,
  PartyType,
  Row,
  StoredRecurrenceException,
} from '../../db/schema.js';
import type { AccessRight, Entity } from '../../security/catalogue.js';
import { recordPrivilege } from '../../security/catalogue.js';
import { decide, type Denial } from '../../security/engine.js';
import type { BusinessUnitTree, Principal } from '../../security/model.js';
import {
  APPOINTMENT_STATUSES,
  sortExceptions,
  type AppointmentData,
  type AppointmentException,
  type AppointmentStatus,
  type ContactData,
  type PartyData,
  type RecordData,
  type TaskData,
  type TaskStatus,
} from './records.js';

type Executor = Db;

export class ActDeniedError extends Error {
  override readonly name = 'ActDeniedError';
  constructor(
    readonly owner: Principal,
    readonly denial: Denial,
    readonly action: string,
  ) {
    super(`${owner.kind} ${owner.name} may not ${action}: ${denial.privilegeName} (${denial.reason})`);
  }
}

export class ActAuthority {
  constructor(
    readonly owner: Principal,
    private readonly tree: BusinessUnitTree,
  ) {}

  private check(right: AccessRight, entity: Entity, row: { ownerId: string; businessUnitId: string } | null) {
    const record = row
      ? { entity, ownerId: row.ownerId, businessUnitId: row.businessUnitId }
      : { entity, ownerId: this.owner.id, businessUnitId: this.owner.businessUnitId };
    return decide(this.owner, recordPrivilege(right, entity), record, this.tree);
  }

  require(
    right: AccessRight,
    entity: Entity,
    row: { ownerId: string; businessUnitId: string } | null,
    action: string,
  ): void {
    const decision = this.check(right, entity, row);
    if (!decision.allowed) throw new ActDeniedError(this.owner, decision, action);
  }

  allows(
    right: AccessRight,
    entity: Entity,
    row: { ownerId: string; businessUnitId: string } | null,
  ): boolean {
    return this.check(right, entity, row).allowed;
  }
}

export interface LoadedRecord {
  readonly id: string;
  readonly record: RecordData;
  readonly updatedAt: Date;
  readonly ownerId: string;
  readonly businessUnitId: string;
  /** appointments and tasks: the iCalendar UID stored on the record */
  readonly icalUid: string | null;
}

const entityOf = (type: ActRecordType): Entity => (type === 'contact' ? 'contact' : 'activity');

// ---------------------------------------------------------------- reading

type PartyRow = Pick<
  Row<'activityParties'>,
  'activityId' | 'participation' | 'address' | 'displayName' | 'partyType' | 'partyId'
>;

function parties(rows: readonly PartyRow[], participation: Participation): PartyData[] {
  return rows
    .filter((row) => row.participation === participation && row.address)
    .map((row) => ({ address: row.address ?? '', displayName: row.displayName }));
}

function appointmentOf(row: Row<'activities'>, partyRows: readonly PartyRow[]): AppointmentData {
  return {
    subject: row.subject,
    description: row.description,
    location: row.location,
    scheduledStart: row.scheduledStart,
    scheduledEnd: row.scheduledEnd,
    isAllDay: row.isAllDay,
    timeZone: row.timeZone,
    recurrenceRule: row.recurrenceRule,
    recurrenceExdates: [...row.recurrenceExdates].sort(),
    recurrenceExceptions: exceptionsFromStore(row.recurrenceExceptions),
    status: row.status as AppointmentStatus,
    priority: row.priority,
    organizer: parties(partyRows, 'organizer')[0] ?? null,
    requiredAttendees: parties(partyRows, 'requiredAttendee'),
    optionalAttendees: parties(partyRows, 'optionalAttendee'),
  };
}

const isStatus = (value: string | null): value is AppointmentStatus =>
  value !== null && (APPOINTMENT_STATUSES as readonly string[]).includes(value);

function dateOrNull(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Stored exceptions (JSON) as record data; entries without a valid original start are dropped. */
export function exceptionsFromStore(stored: unknown): AppointmentException[] {
  if (!Array.isArray(stored)) return [];
  const list: AppointmentException[] = [];
  for (const entry of stored as Partial<StoredRecurrenceException>[]) {
    const recurrenceId = dateOrNull(entry.recurrenceId);
    if (!recurrenceId) continue;
    list.push({
      recurrenceId: recurrenceId.toISOString(),
      scheduledStart: dateOrNull(entry.scheduledStart),
      scheduledEnd: dateOrNull(entry.scheduledEnd),
      subject: entry.subject ?? null,
      location: entry.location ?? null,
      description: entry.description ?? null,
      status: isStatus(entry.status ?? null) ? (entry.status as AppointmentStatus) : null,
    });
  }
  return sortExceptions(list);
}

/** Record data's exceptions as the JSON stored on the activity. */
export function exceptionsToStore(list: readonly AppointmentException[]): string {
  const stored: StoredRecurrenceException[] = sortExceptions(list).map((exception) => ({
    recurrenceId: exception.recurrenceId,
    scheduledStart: exception.scheduledStart?.toISOString() ?? null,
    scheduledEnd: exception.scheduledEnd?.toISOString() ?? null,
    subject: exception.subject,
    location: exception.location,
    description: exception.description,
    status: exception.status,
  }));
  return JSON.stringify(stored);
}

function taskOf(row: Row<'activities'>): TaskData {
  return {
    subject: row.subject,
    description: row.description,
    scheduledEnd: row.scheduledEnd,
    percentComplete: row.percentComplete,
    status: row.status as TaskStatus,
    priority: row.priority,
    actualEnd: row.actualEnd,
  };
}

function contactOf(row: Row<'contacts'>): ContactData {
  return {
    firstName: row.firstName,
    lastName: row.lastName,
    emailAddress1: row.emailAddress1,
    emailAddress2: row.emailAddress2,
    emailAddress3: row.emailAddress3,
    telephone: row.telephone,
    mobilePhone: row.mobilePhone,
    jobTitle: row.jobTitle,
    companyName: row.companyName,
    address1Line1: row.address1Line1,
    address1City: row.address1City,
    address1StateOrProvince: row.address1StateOrProvince,
    address1PostalCode: row.address1PostalCode,
    address1Country: row.address1Country,
  };
}

async function partiesOf(db: Executor, ids: readonly string[]): Promise<Map<string, PartyRow[]>> {
  const map = new Map<string, PartyRow[]>();
  for (let index = 0; index < ids.length; index += 1000) {
    const chunk = ids.slice(index, index + 1000);
    const rows = await db
      .selectFrom('activityParties')
      .select(['activityId', 'participation', 'address', 'displayName', 'partyType', 'partyId'])
      .where('activityId', 'in', chunk)
      .orderBy('position')
      .execute();
    for (const row of rows) {
      const list = map.get(row.activityId) ?? [];
      list.push(row);
      map.set(row.activityId, list);
    }
  }
  return map;
}

function activityLoaded(row: Row<'activities'>, partyRows: readonly PartyRow[]): LoadedRecord {
  const record: RecordData =
    row.activityType === 'appointment'
      ? { type: 'appointment', data: appointmentOf(row, partyRows) }
      : { type: 'task', data: taskOf(row) };
  return {
    id: row.id,
    record,
    updatedAt: row.updatedAt,
    ownerId: row.ownerId,
    businessUnitId: row.businessUnitId,
    icalUid: row.icalUid,
  };
}

function contactLoaded(row: Row<'contacts'>): LoadedRecord {
  return {
    id: row.id,
    record: { type: 'contact', data: contactOf(row) },
    updatedAt: row.updatedAt,
    ownerId: row.ownerId,
    businessUnitId: row.businessUnitId,
    icalUid: null,
  };
}

/** Records by type and id (missing ones are absent from the map). */
export async function loadRecords(
  db: Executor,
  refs: readonly { type: ActRecordType; id: string }[],
): Promise<Map<string, LoadedRecord>> {
  const out = new Map<string, LoadedRecord>();
  const activityIds = refs.filter((ref) => ref.type !== 'contact').map((ref) => ref.id);
  const contactIds = refs.filter((ref) => ref.type === 'contact').map((ref) => ref.id);
  for (let index = 0; index < activityIds.length; index += 1000) {
    const chunk = activityIds.slice(index, index + 1000);
    const rows = await db.selectFrom('activities').selectAll().where('id', 'in', chunk).execute();
    const partyMap = await partiesOf(
      db,
      rows.map((row) => row.id),
    );
    for (const row of rows)
      out.set(`${row.activityType}:${row.id}`, activityLoaded(row, partyMap.get(row.id) ?? []));
  }
  for (let index = 0; index < contactIds.length; index += 1000) {
    const chunk = contactIds.slice(index, index + 1000);
    const rows = await db.selectFrom('contacts').selectAll().where('id', 'in', chunk).execute();
    for (const row of rows) out.set(`contact:${row.id}`, contactLoaded(row));
  }
  return out;
}

export const recordKey = (type: ActRecordType, id: string): string => `${type}:${id}`;

/**
 * The records that go out to the server (the reference's default filters):
 * appointments where the user is organizer or required attendee, and tasks
 * and contacts the user owns. Appointments the owner cannot read are left out.
 */
export async function candidateRecords(
  db: Executor,
  authority: ActAuthority,
  user: { id: string; addresses: readonly string[] },
): Promise<LoadedRecord[]> {
  const addresses = user.addresses.map((address) => address.toLowerCase());
  const appointmentIds = await db
    .selectFrom('activityParties as p')
    .innerJoin('activities as a', 'a.id', 'p.activityId')
    .select('a.id')
    .distinct()
    .where('a.activityType', '=', 'appointment')
    .where('p.participation', 'in', ['organizer', 'requiredAttendee'])
    .where((eb) =>
      eb.or([
        eb.and([eb('p.partyType', '=', 'user'), eb('p.partyId', '=', user.id)]),
        ...(addresses.length > 0 ? [eb(eb.fn('lower', ['p.address']), 'in', addresses)] : []),
      ]),
    )
    .execute();
  const taskIds = await db
    .selectFrom('activities')
    .select('id')
    .where('activityType', '=', 'task')
    .where('ownerId', '=', authority.owner.id)
    .execute();
  const contactIds = await db
    .selectFrom('contacts')
    .select('id')
    .where('ownerId', '=', authority.owner.id)
    .execute();
  const loaded = await loadRecords(db, [
    ...appointmentIds.map((row) => ({ type: 'appointment' as const, id: row.id })),
    ...taskIds.map((row) => ({ type: 'task' as const, id: row.id })),
    ...contactIds.map((row) => ({ type: 'contact' as const, id: row.id })),
  ]);
  return [...loaded.values()].filter((record) =>
    authority.allows('read', entityOf(record.record.type), record),
  );
}

// ---------------------------------------------------------------- writing

function appointmentState(status: string): 'completed' | 'canceled' | 'scheduled' {
  return status === 'completed' ? 'completed' : status === 'canceled' ? 'canceled' : 'scheduled';
}

function taskState(status: string): 'completed' | 'canceled' | 'open' {
  return status === 'completed' ? 'completed' : status === 'canceled' ? 'canceled' : 'open';
}

function fullName(data: ContactData): string {
  return [data.firstName, data.lastName].filter((part) => part && part.trim()).join(' ');
}

type ResolvedParty = { partyType: PartyType | null; partyId: string | null };

/**
 * Addresses already resolved in a transaction: a batch of calendar items
 * names the same organizer and attendees again and again. Keyed by the
 * transaction, so nothing outlives it.
 */
const resolvedIn = new WeakMap<Executor, Map<string, ResolvedParty>>();

/** Who an address is: a user or a contact of Mailroom, matched by email address. */
async function resolveParty(db: Executor, party: PartyData): Promise<ResolvedParty> {
  const address = party.address.toLowerCase();
  if (!db.isTransaction) return lookUpParty(db, address);
  let known = resolvedIn.get(db);
  if (!known) {
    known = new Map();
    resolvedIn.set(db, known);
  }
  const cached = known.get(address);
  if (cached) return cached;
  const resolved = await lookUpParty(db, address);
  known.set(address, resolved);
  return resolved;
}

async function lookUpParty(db: Executor, address: string): Promise<ResolvedParty> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['emailAddress']), '=', address))
    .executeTakeFirst();
  if (user) return { partyType: 'user', partyId: user.id };
  const contact = await db
    .selectFrom('contacts')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['emailAddress1']), '=', address))
    .executeTakeFirst();
  return contact ? { partyType: 'contact', partyId: contact.id } : { partyType: null, partyId: null };
}

async function writeParties(
  db: Executor,
  activityId: string,
  data: AppointmentData,
  fresh: boolean,
): Promise<void> {
  // A record created just now has no parties to replace.
  if (!fresh) await db.deleteFrom('activityParties').where('activityId', '=', activityId).execute();
  const lists: [Participation, readonly PartyData[]][] = [
    ['organizer', data.organizer ? [data.organizer] : []],
    ['requiredAttendee', data.requiredAttendees],
    ['optionalAttendee', data.optionalAttendees],
  ];
  const rows = [];
  for (const [participation, list] of lists) {
    let position = 0;
    for (const party of list) {
      rows.push({
        id: newId(),
        activityId,
        participation,
        address: party.address,
        displayName: party.displayName,
        ...(await resolveParty(db, party)),
        position: position++,
      });
    }
  }
  if (rows.length > 0) await db.insertInto('activityParties').values(rows).execute();
}

function activityColumns(record: Extract<RecordData, { type: 'appointment' | 'task' }>) {
  if (record.type === 'appointment') {
    const d = record.data;
    return {
      subject: d.subject.slice(0, 2000),
      description: d.description,
      location: d.location,
      scheduledStart: d.scheduledStart,
      scheduledEnd: d.scheduledEnd,
      isAllDay: d.isAllDay,
      timeZone: d.timeZone,
      recurrenceRule: d.recurrenceRule,
      recurrenceExdates: [...d.recurrenceExdates],
      recurrenceExceptions: exceptionsToStore(d.recurrenceExceptions),
      status: d.status,
      state: appointmentState(d.status),
      priority: d.priority,
    };
  }
  const d = record.data;
  return {
    subject: d.subject.slice(0, 2000),
    description: d.description,
    scheduledEnd: d.scheduledEnd,
    percentComplete: d.percentComplete,
    status: d.status,
    state: taskState(d.status),
    priority: d.priority,
    actualEnd: d.actualEnd,
  };
}

function contactColumns(d: ContactData) {
  return { ...d, fullName: fullName(d) };
}

/** Creates a record owned by the mailbox owner from a server item; returns its id. */
export async function createRecord(
  db: Executor,
  authority: ActAuthority,
  record: RecordData,
  uid: string,
  user: { id: string; address: string | null },
): Promise<string> {
  const entity = entityOf(record.type);
  authority.require('create', entity, null, `create the ${record.type} "${uidName(record)}" from the server`);
  const id = newId();
  const owner = {
    ownerId: authority.owner.id,
    ownerType: authority.owner.kind,
    businessUnitId: authority.owner.businessUnitId,
  };
  if (record.type === 'contact') {
    await db
      .insertInto('contacts')
      .values({ id, ...contactColumns(record.data), ...owner })
      .execute();
    return id;
  }
  let data = record;
  if (record.type === 'appointment' && !record.data.organizer && user.address) {
    // An item without an organizer is the user's own (UseCrmOrganizerForEmptyExchangeOrganizer).
    data = {
      type: 'appointment',
      data: { ...record.data, organizer: { address: user.address, displayName: null } },
    };
  }
  await db
    .insertInto('activities')
    .values({ id, activityType: record.type, ...activityColumns(data), icalUid: uid, ...owner })
    .execute();
  if (data.type === 'appointment') {
    authority.require('append', 'activity', null, 'link the appointment to its organizer and attendees');
    await writeParties(db, id, data.data, true);
  }
  return id;
}

export async function updateRecord(
  db: Executor,
  authority: ActAuthority,
  loaded: LoadedRecord,
  record: RecordData,
): Promise<void> {
  const entity = entityOf(record.type);
  authority.require(
    'write',
    entity,
    loaded,
    `change the ${record.type} "${uidName(record)}" from the server`,
  );
  const now = new Date();
  if (record.type === 'contact') {
    await db
      .updateTable('contacts')
      .set({ ...contactColumns(record.data), updatedAt: now })
      .where('id', '=', loaded.id)
      .execute();
    return;
  }
  await db
    .updateTable('activities')
    .set({ ...activityColumns(record), updatedAt: now })
    .where('id', '=', loaded.id)
    .execute();
  if (record.type === 'appointment') await writeParties(db, loaded.id, record.data, false);
}

export async function deleteRecord(
  db: Executor,
  authority: ActAuthority,
  loaded: LoadedRecord,
): Promise<void> {
  const entity = entityOf(loaded.record.type);
  authority.require(
    'delete',
    entity,
    loaded,
    `delete the ${loaded.record.type} "${uidName(loaded.record)}" deleted on the server`,
  );
  if (loaded.record.type === 'contact') await db.deleteFrom('contacts').where('id', '=', loaded.id).execute();
  else await db.deleteFrom('activities').where('id', '=', loaded.id).execute();
}

/** Stores the iCalendar UID Mailroom gave a record it put on the server. */
export async function setIcalUid(db: Executor, id: string, uid: string): Promise<void> {
  await db
    .updateTable('activities')
    .set({ icalUid: uid })
    .where('id', '=', id)
    .where('icalUid', 'is', null)
    .execute();
}

/** A record not linked yet whose UID is this one (a Mailroom item put on the server by an interrupted cycle). */
export async function recordByUid(
  db: Executor,
  type: ActRecordType,
  uid: string,
): Promise<string | undefined> {
  if (type === 'contact') {
    const row = /^[0-9a-f-]{36}$/i.test(uid)
      ? await db.selectFrom('contacts').select('id').where('id', '=', uid).executeTakeFirst()
      : undefined;
    return row?.id;
  }
  const row = await db
    .selectFrom('activities')
    .select('id')
    .where('icalUid', '=', uid)
    .where('activityType', '=', type)
    .executeTakeFirst();
  return row?.id;
}

function uidName(record: RecordData): string {
  return record.type === 'contact' ? fullName(record.data) : record.data.subject;
}
