/**
 * Appointments ↔ VEVENT and tasks ↔ VTODO, with ical.js.
 *
 * Parsing takes a whole calendar object resource (one VCALENDAR) and maps its
 * master component (the one without RECURRENCE-ID); the overridden
 * occurrences of a series (RECURRENCE-ID components with the master's UID)
 * become the appointment's exceptions, EXDATEs its cancelled occurrences.
 * Times become instants: a TZID is resolved through the VTIMEZONE the object
 * carries, else through Intl when it is an IANA id; an unknown zone without a
 * definition makes the item malformed (MR6). All-day dates become midnight
 * UTC of that date. Floating times are read as UTC.
 *
 * Rendering writes a new VCALENDAR, or, given the item as it is on the
 * server (`base`), changes only the properties Mailroom owns in the master
 * component and its overrides, so alarms, attendee replies and unknown
 * properties survive a round trip. Timed values are written in the item's
 * time zone: through the VTIMEZONE the item carries, else one built from the
 * IANA zone (vtimezone.ts); UTC only when the item has no zone.
 */
import ICAL from 'ical.js';
import type {
  AppointmentData,
  AppointmentException,
  AppointmentStatus,
  PartyData,
  Priority,
  RecordData,
  TaskData,
  TaskStatus,
} from './records.js';
import { sortExceptions } from './records.js';
import { isKnownZone, zonedToUtc } from './time-zones.js';
import { buildVTimezone } from './vtimezone.js';

export class MalformedItemError extends Error {
  override readonly name = 'MalformedItemError';
  constructor(
    readonly format: 'icalendar' | 'vcard',
    reason: string,
  ) {
    super(reason);
  }
}

export interface ParsedCalendarItem {
  readonly uid: string;
  readonly record: Extract<RecordData, { type: 'appointment' | 'task' }>;
  /** LAST-MODIFIED, else DTSTAMP: when the item last changed on the server side */
  readonly lastModified: Date | null;
  /** overridden occurrences (RECURRENCE-ID components) of the item */
  readonly exceptions: number;
}

const PRODID = '-//Mailroom//ACT sync//EN';
/** Statuses iCalendar cannot say, kept in a private property so they survive a round trip. */
const X_STATUS = 'x-mailroom-status';

function parseComponent(text: string, format: 'icalendar' | 'vcard'): ICAL.Component {
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text);
  } catch (error) {
    throw new MalformedItemError(format, error instanceof Error ? error.message : String(error));
  }
  if (Array.isArray(jcal) && Array.isArray(jcal[0])) jcal = jcal[0];
  if (!Array.isArray(jcal) || typeof jcal[0] !== 'string') {
    throw new MalformedItemError(format, 'no component found');
  }
  return new ICAL.Component(jcal as never);
}

export function parseCalendarComponent(text: string): ICAL.Component {
  const root = parseComponent(text, 'icalendar');
  if (root.name !== 'vcalendar')
    throw new MalformedItemError('icalendar', `expected VCALENDAR, found ${root.name.toUpperCase()}`);
  return root;
}

function master(root: ICAL.Component): ICAL.Component | undefined {
  const items = [...root.getAllSubcomponents('vevent'), ...root.getAllSubcomponents('vtodo')];
  return items.find((item) => !item.hasProperty('recurrence-id')) ?? items[0];
}

export function parseCalendarItem(text: string): ParsedCalendarItem {
  const root = parseCalendarComponent(text);
  const item = master(root);
  if (!item) throw new MalformedItemError('icalendar', 'the calendar object has no VEVENT or VTODO');
  const uid = textValue(item, 'uid');
  if (!uid) throw new MalformedItemError('icalendar', `the ${item.name.toUpperCase()} has no UID`);
  const overrides = overridesOf(root, item, uid);
  const lastModified =
    latest([item, ...overrides].map((component) => instantOf(root, component, 'last-modified')?.date)) ??
    instantOf(root, item, 'dtstamp')?.date ??
    null;
  const record =
    item.name === 'vevent'
      ? ({ type: 'appointment', data: readEvent(root, item, overrides) } as const)
      : ({ type: 'task', data: readTodo(root, item) } as const);
  return { uid, record, lastModified, exceptions: overrides.length };
}

/** The RECURRENCE-ID components of the master's series (same kind, same UID). */
function overridesOf(root: ICAL.Component, item: ICAL.Component, uid: string): ICAL.Component[] {
  if (item.hasProperty('recurrence-id')) return [];
  return root
    .getAllSubcomponents(item.name)
    .filter(
      (other) => other !== item && other.hasProperty('recurrence-id') && textValue(other, 'uid') === uid,
    );
}

function latest(dates: readonly (Date | undefined)[]): Date | undefined {
  let best: Date | undefined;
  for (const date of dates) if (date && (!best || date > best)) best = date;
  return best;
}

// ---------------------------------------------------------------- reading

function textValue(component: ICAL.Component, name: string): string | null {
  const value: unknown = component.getFirstPropertyValue(name);
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text === '' ? null : text;
}

interface Instant {
  readonly date: Date;
  readonly allDay: boolean;
  readonly tzid: string | null;
}

function timeToInstant(root: ICAL.Component, time: ICAL.Time, tzid: string | null): Instant {
  if (time.isDate)
    return { date: new Date(Date.UTC(time.year, time.month - 1, time.day)), allDay: true, tzid: null };
  if (tzid && tzid.toUpperCase() !== 'UTC' && tzid !== 'Z') {
    const definition = root
      .getAllSubcomponents('vtimezone')
      .find((zone) => zone.getFirstPropertyValue('tzid') === tzid);
    if (definition) {
      const copy = time.clone();
      copy.zone = new ICAL.Timezone(definition);
      return { date: copy.toJSDate(), allDay: false, tzid };
    }
    if (isKnownZone(tzid)) {
      return {
        // An ical.js time has the fields of a wall-clock time.
        date: zonedToUtc(time, tzid),
        allDay: false,
        tzid,
      };
    }
    throw new MalformedItemError(
      'icalendar',
      `the time zone ${tzid} is neither defined in the item nor known`,
    );
  }
  // UTC, or floating (read as UTC).
  return {
    date: new Date(Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second)),
    allDay: false,
    tzid: null,
  };
}

function instantOf(root: ICAL.Component, component: ICAL.Component, name: string): Instant | undefined {
  const property = component.getFirstProperty(name);
  if (!property) return undefined;
  const value: unknown = property.getFirstValue();
  if (!(value instanceof ICAL.Time))
    throw new MalformedItemError('icalendar', `${name.toUpperCase()} is not a date or time`);
  const tzid = property.getParameter('tzid');
  return timeToInstant(root, value, typeof tzid === 'string' ? tzid : null);
}

function priorityOf(component: ICAL.Component): Priority | null {
  const value = Number(component.getFirstPropertyValue('priority') ?? 0);
  if (!Number.isFinite(value) || value <= 0) return null;
  if (value < 5) return 'high';
  if (value === 5) return 'normal';
  return 'low';
}

function partyOf(property: ICAL.Property): PartyData | null {
  const value: unknown = property.getFirstValue();
  if (typeof value !== 'string') return null;
  const address = value.replace(/^mailto:/i, '').trim();
  if (address === '') return null;
  const cn = property.getParameter('cn');
  return { address, displayName: typeof cn === 'string' && cn !== '' ? cn : null };
}

/** DTSTART and the end (DTEND, else DTSTART + DURATION, else a day for a date) of an event component. */
function eventTimes(root: ICAL.Component, event: ICAL.Component): { start?: Instant; end?: Instant } {
  const start = instantOf(root, event, 'dtstart');
  let end = instantOf(root, event, 'dtend');
  if (!end && start) {
    const duration: unknown = event.getFirstPropertyValue('duration');
    if (duration instanceof ICAL.Duration) {
      end = { ...start, date: new Date(start.date.getTime() + duration.toSeconds() * 1000) };
    } else if (start.allDay) {
      end = { ...start, date: new Date(start.date.getTime() + 86_400_000) };
    }
  }
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

function readException(root: ICAL.Component, override: ICAL.Component): AppointmentException {
  const recurrenceId = instantOf(root, override, 'recurrence-id');
  if (!recurrenceId) throw new MalformedItemError('icalendar', 'RECURRENCE-ID has no value');
  const { start, end } = eventTimes(root, override);
  return {
    recurrenceId: recurrenceId.date.toISOString(),
    scheduledStart: start?.date ?? null,
    scheduledEnd: end?.date ?? null,
    subject: textValue(override, 'summary'),
    location: textValue(override, 'location'),
    description: textValue(override, 'description'),
    status: eventStatus(override),
  };
}

function readEvent(
  root: ICAL.Component,
  event: ICAL.Component,
  overrides: readonly ICAL.Component[],
): AppointmentData {
  const { start, end } = eventTimes(root, event);
  const rrule: unknown = event.getFirstPropertyValue('rrule');
  const exdates: string[] = [];
  for (const property of event.getAllProperties('exdate')) {
    const tzid = property.getParameter('tzid');
    for (const value of property.getValues() as unknown[]) {
      if (value instanceof ICAL.Time) {
        exdates.push(timeToInstant(root, value, typeof tzid === 'string' ? tzid : null).date.toISOString());
      }
    }
  }
  const organizerProperty = event.getFirstProperty('organizer');
  const required: PartyData[] = [];
  const optional: PartyData[] = [];
  for (const property of event.getAllProperties('attendee')) {
    const party = partyOf(property);
    if (!party) continue;
    const role = String(property.getParameter('role') ?? 'REQ-PARTICIPANT').toUpperCase();
    if (role === 'NON-PARTICIPANT') continue;
    (role === 'OPT-PARTICIPANT' ? optional : required).push(party);
  }
  return {
    subject: textValue(event, 'summary') ?? '',
    description: textValue(event, 'description'),
    location: textValue(event, 'location'),
    scheduledStart: start?.date ?? null,
    scheduledEnd: end?.date ?? null,
    isAllDay: start?.allDay ?? false,
    timeZone: start?.tzid ?? null,
    recurrenceRule: rrule instanceof ICAL.Recur ? rrule.toString() : null,
    recurrenceExdates: [...new Set(exdates)].sort(),
    recurrenceExceptions: sortExceptions(overrides.map((override) => readException(root, override))),
    status: eventStatus(event),
    priority: priorityOf(event),
    organizer: organizerProperty ? partyOf(organizerProperty) : null,
    requiredAttendees: required,
    optionalAttendees: optional,
  };
}

function eventStatus(event: ICAL.Component): AppointmentStatus {
  const status = String(event.getFirstPropertyValue('status') ?? '').toUpperCase();
  const transparent = String(event.getFirstPropertyValue('transp') ?? '').toUpperCase() === 'TRANSPARENT';
  const kept = textValue(event, X_STATUS);
  if (status === 'CANCELLED') return 'canceled';
  if (status === 'TENTATIVE') return 'tentative';
  if (kept === 'completed' && transparent) return 'completed';
  if (kept === 'outOfOffice' && !transparent) return 'outOfOffice';
  return transparent ? 'free' : 'busy';
}

function readTodo(root: ICAL.Component, todo: ICAL.Component): TaskData {
  const percent = todo.getFirstPropertyValue('percent-complete');
  const percentComplete =
    percent === null || percent === undefined
      ? null
      : Math.max(0, Math.min(100, Math.round(Number(percent))));
  return {
    subject: textValue(todo, 'summary') ?? '',
    description: textValue(todo, 'description'),
    scheduledEnd: instantOf(root, todo, 'due')?.date ?? null,
    percentComplete: Number.isFinite(percentComplete) ? percentComplete : null,
    status: todoStatus(todo),
    priority: priorityOf(todo),
    actualEnd: instantOf(root, todo, 'completed')?.date ?? null,
  };
}

function todoStatus(todo: ICAL.Component): TaskStatus {
  const status = String(todo.getFirstPropertyValue('status') ?? '').toUpperCase();
  const kept = textValue(todo, X_STATUS);
  if (status === 'COMPLETED') return 'completed';
  if (status === 'CANCELLED') return 'canceled';
  if (status === 'IN-PROCESS') {
    return kept === 'waitingOnSomeoneElse' || kept === 'deferred' ? kept : 'inProgress';
  }
  return 'notStarted';
}

// ---------------------------------------------------------------- writing

export interface RenderOptions {
  /** the item as it is on the server: only Mailroom's properties change */
  readonly base?: string | undefined;
  readonly now?: Date | undefined;
}

export function renderCalendarItem(
  record: Extract<RecordData, { type: 'appointment' | 'task' }>,
  uid: string,
  options: RenderOptions = {},
): string {
  const now = options.now ?? new Date();
  const kind = record.type === 'appointment' ? 'vevent' : 'vtodo';
  let root: ICAL.Component;
  let item: ICAL.Component | undefined;
  if (options.base !== undefined) {
    root = parseCalendarComponent(options.base);
    item = master(root);
    if (item && item.name !== kind) {
      root.removeSubcomponent(item);
      item = undefined;
    }
  } else {
    root = new ICAL.Component('vcalendar');
    root.addPropertyWithValue('version', '2.0');
    root.addPropertyWithValue('prodid', PRODID);
  }
  if (!item) {
    item = new ICAL.Component(kind);
    root.addSubcomponent(item);
  }
  item.updatePropertyWithValue('uid', uid);
  item.updatePropertyWithValue('dtstamp', utcTime(now));
  item.updatePropertyWithValue('last-modified', utcTime(now));
  if (options.base !== undefined) {
    const sequence = Number(item.getFirstPropertyValue('sequence') ?? 0);
    item.updatePropertyWithValue('sequence', Number.isFinite(sequence) ? sequence + 1 : 1);
  }
  if (record.type === 'appointment') {
    writeEvent(root, item, record.data);
    writeOverrides(root, item, record.data, uid, now);
  } else writeTodo(item, record.data);
  return root.toString().replace(/\r?\n/g, '\r\n') + '\r\n';
}

function utcTime(date: Date): ICAL.Time {
  return ICAL.Time.fromJSDate(date, true);
}

function dateOnly(date: Date): ICAL.Time {
  return ICAL.Time.fromData({
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    isDate: true,
  });
}

function setText(component: ICAL.Component, name: string, value: string | null): void {
  component.removeAllProperties(name);
  if (value !== null && value !== '') component.addPropertyWithValue(name, value);
}

function setPriority(component: ICAL.Component, priority: Priority | null): void {
  component.removeAllProperties('priority');
  if (priority !== null)
    component.addPropertyWithValue('priority', priority === 'high' ? 1 : priority === 'normal' ? 5 : 9);
}

/** A time property: DATE for all-day, local time with TZID when the zone's definition is at hand, else UTC. */
function timeProperty(
  name: string,
  date: Date,
  allDay: boolean,
  zone: ICAL.Timezone | undefined,
): ICAL.Property {
  const property = new ICAL.Property(name);
  if (allDay) {
    property.setValue(dateOnly(date));
  } else if (zone) {
    const local = utcTime(date).convertToZone(zone);
    property.setValue(local);
    property.setParameter('tzid', zone.tzid);
  } else {
    property.setValue(utcTime(date));
  }
  return property;
}

/**
 * The zone an item's times are written in: the definition the item carries,
 * else one built from the IANA zone and added to the item; undefined (UTC)
 * when the item has no zone, or one Intl does not know.
 */
function zoneDefinition(root: ICAL.Component, data: AppointmentData): ICAL.Timezone | undefined {
  const tzid = data.timeZone;
  if (!tzid || data.isAllDay) return undefined;
  const definition = root
    .getAllSubcomponents('vtimezone')
    .find((zone) => zone.getFirstPropertyValue('tzid') === tzid);
  if (definition) return new ICAL.Timezone(definition);
  if (!isKnownZone(tzid)) return undefined;
  const years = [
    data.scheduledStart,
    data.scheduledEnd,
    ...data.recurrenceExceptions.map((e) => e.scheduledStart),
  ]
    .filter((date): date is Date => date instanceof Date)
    .map((date) => date.getUTCFullYear());
  const built = cachedVTimezone(tzid, Math.min(...years, 9999), Math.max(...years, 0));
  // Definitions go before the items, as calendar clients write them.
  const items = root.getAllSubcomponents().filter((component) => component.name !== 'vtimezone');
  for (const item of items) root.removeSubcomponent(item);
  const copy = new ICAL.Component(built.toJSON() as never);
  root.addSubcomponent(copy);
  for (const item of items) root.addSubcomponent(item);
  return new ICAL.Timezone(copy);
}

const builtZones = new Map<string, ICAL.Component>();

function cachedVTimezone(zone: string, fromYear: number, toYear: number): ICAL.Component {
  const from = fromYear > toYear ? new Date().getUTCFullYear() : fromYear;
  const to = Math.max(from + 2, toYear);
  const key = `${zone} ${from} ${to}`;
  let built = builtZones.get(key);
  if (!built) {
    built = buildVTimezone(zone, from, to);
    if (builtZones.size > 500) builtZones.clear();
    builtZones.set(key, built);
  }
  return built;
}

function writeEvent(root: ICAL.Component, event: ICAL.Component, data: AppointmentData): void {
  setText(event, 'summary', data.subject);
  setText(event, 'description', data.description);
  setText(event, 'location', data.location);
  const zone = zoneDefinition(root, data);
  for (const name of ['dtstart', 'dtend', 'duration', 'exdate', 'rrule']) event.removeAllProperties(name);
  if (data.scheduledStart)
    event.addProperty(timeProperty('dtstart', data.scheduledStart, data.isAllDay, zone));
  if (data.scheduledEnd) event.addProperty(timeProperty('dtend', data.scheduledEnd, data.isAllDay, zone));
  if (data.recurrenceRule) event.addPropertyWithValue('rrule', ICAL.Recur.fromString(data.recurrenceRule));
  for (const exdate of data.recurrenceExdates) {
    event.addProperty(timeProperty('exdate', new Date(exdate), data.isAllDay, zone));
  }
  writeEventStatus(event, data.status);
  setPriority(event, data.priority);
  // Attendees keep their parameters (PARTSTAT, RSVP…) when they stay.
  const previous = new Map<string, ICAL.Property>();
  for (const property of event.getAllProperties('attendee')) {
    const party = partyOf(property);
    if (party) previous.set(party.address.toLowerCase(), property);
  }
  event.removeAllProperties('attendee');
  const organizer = event.getFirstProperty('organizer');
  event.removeAllProperties('organizer');
  if (data.organizer) {
    const kept =
      organizer && partyOf(organizer)?.address.toLowerCase() === data.organizer.address.toLowerCase();
    event.addProperty(partyProperty('organizer', data.organizer, kept ? organizer : undefined));
  }
  const attendees = [
    ...data.requiredAttendees.map((party) => [party, 'REQ-PARTICIPANT'] as const),
    ...data.optionalAttendees.map((party) => [party, 'OPT-PARTICIPANT'] as const),
  ];
  for (const [party, role] of attendees) {
    const property = partyProperty('attendee', party, previous.get(party.address.toLowerCase()));
    property.setParameter('role', role);
    event.addProperty(property);
  }
}

/** Status: iCalendar has STATUS and TRANSP; what they cannot say goes into X-MAILROOM-STATUS. */
function writeEventStatus(event: ICAL.Component, status: AppointmentStatus): void {
  event.removeAllProperties('status');
  event.removeAllProperties('transp');
  event.removeAllProperties(X_STATUS);
  event.addPropertyWithValue(
    'status',
    status === 'canceled' ? 'CANCELLED' : status === 'tentative' ? 'TENTATIVE' : 'CONFIRMED',
  );
  event.addPropertyWithValue(
    'transp',
    status === 'free' || status === 'completed' ? 'TRANSPARENT' : 'OPAQUE',
  );
  if (status === 'completed' || status === 'outOfOffice') event.addPropertyWithValue(X_STATUS, status);
}

/**
 * The series' overridden occurrences as RECURRENCE-ID components of the same
 * resource: existing ones are changed in place (keeping what Mailroom does
 * not own), new ones start from the master's organizer and attendees, and
 * overrides Mailroom no longer has are removed. RECURRENCE-ID is written in
 * the master's form (date, zoned or UTC) as RFC 5545 §3.8.4.4 asks.
 */
function writeOverrides(
  root: ICAL.Component,
  master: ICAL.Component,
  data: AppointmentData,
  uid: string,
  now: Date,
): void {
  const zone = zoneDefinition(root, data);
  const existing = new Map<string, ICAL.Component>();
  for (const override of overridesOf(root, master, uid)) {
    const id = instantOf(root, override, 'recurrence-id');
    if (id) existing.set(id.date.toISOString(), override);
  }
  const duration =
    data.scheduledStart && data.scheduledEnd
      ? data.scheduledEnd.getTime() - data.scheduledStart.getTime()
      : data.isAllDay
        ? 86_400_000
        : 0;
  const wanted = data.recurrenceRule ? data.recurrenceExceptions : [];
  for (const exception of wanted) {
    let override = existing.get(exception.recurrenceId);
    existing.delete(exception.recurrenceId);
    if (!override) {
      override = new ICAL.Component('vevent');
      for (const name of ['organizer', 'attendee']) {
        for (const property of master.getAllProperties(name))
          override.addProperty(ICAL.Property.fromString(property.toICALString()));
      }
      root.addSubcomponent(override);
    }
    const originalStart = new Date(exception.recurrenceId);
    const start = exception.scheduledStart ?? originalStart;
    const end = exception.scheduledEnd ?? new Date(start.getTime() + duration);
    override.updatePropertyWithValue('uid', uid);
    override.updatePropertyWithValue('dtstamp', utcTime(now));
    override.updatePropertyWithValue('last-modified', utcTime(now));
    override.updatePropertyWithValue('sequence', master.getFirstPropertyValue('sequence') ?? 0);
    for (const name of ['recurrence-id', 'dtstart', 'dtend', 'duration', 'rrule', 'exdate', 'rdate'])
      override.removeAllProperties(name);
    override.addProperty(timeProperty('recurrence-id', originalStart, data.isAllDay, zone));
    override.addProperty(timeProperty('dtstart', start, data.isAllDay, zone));
    override.addProperty(timeProperty('dtend', end, data.isAllDay, zone));
    setText(override, 'summary', exception.subject ?? data.subject);
    setText(override, 'location', exception.location ?? data.location);
    setText(override, 'description', exception.description ?? data.description);
    writeEventStatus(override, exception.status ?? data.status);
  }
  for (const stale of existing.values()) root.removeSubcomponent(stale);
}

function partyProperty(name: string, party: PartyData, previous: ICAL.Property | undefined): ICAL.Property {
  const property = previous ? ICAL.Property.fromString(previous.toICALString()) : new ICAL.Property(name);
  property.setValue(`mailto:${party.address}`);
  if (party.displayName) property.setParameter('cn', party.displayName);
  else property.removeParameter('cn');
  return property;
}

function writeTodo(todo: ICAL.Component, data: TaskData): void {
  setText(todo, 'summary', data.subject);
  setText(todo, 'description', data.description);
  const dueWasDate = (todo.getFirstPropertyValue('due') as ICAL.Time | null)?.isDate === true;
  todo.removeAllProperties('due');
  if (data.scheduledEnd) todo.addProperty(timeProperty('due', data.scheduledEnd, dueWasDate, undefined));
  todo.removeAllProperties('percent-complete');
  if (data.percentComplete !== null) todo.addPropertyWithValue('percent-complete', data.percentComplete);
  todo.removeAllProperties('status');
  todo.removeAllProperties(X_STATUS);
  const status = data.status;
  todo.addPropertyWithValue(
    'status',
    status === 'completed'
      ? 'COMPLETED'
      : status === 'canceled'
        ? 'CANCELLED'
        : status === 'notStarted'
          ? 'NEEDS-ACTION'
          : 'IN-PROCESS',
  );
  if (status === 'waitingOnSomeoneElse' || status === 'deferred') todo.addPropertyWithValue(X_STATUS, status);
  todo.removeAllProperties('completed');
  if (data.actualEnd) todo.addPropertyWithValue('completed', utcTime(data.actualEnd));
  setPriority(todo, data.priority);
}
