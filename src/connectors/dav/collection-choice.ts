/**
 * Which calendar takes new appointments, which takes new tasks and which
 * address book takes new contacts from Mailroom. Pure; the cycle lists the
 * collections (RFC 6764 discovery, then the homes) and creates what is
 * missing.
 *
 * The rule, in order, for each kind:
 * 1. The collection chosen before (stored on the mailbox's collections), as
 *    long as it still exists and still takes that kind: adding a calendar
 *    never moves where new items go.
 * 2. Appointments: the first calendar (by URL) that takes VEVENT.
 *    Tasks: the first calendar that takes only VTODO (a task list), else the
 *    appointments' calendar when it takes VTODO, else the first calendar
 *    that takes VTODO.
 *    Contacts: the first address book (by URL).
 * 3. None: one is created (a calendar for events and tasks, a "Tasks" list,
 *    an address book).
 *
 * A calendar that states no component set takes every kind (RFC 4791 §5.2.3).
 * Every calendar and address book of the account is synchronized; the choice
 * only decides where new Mailroom items go.
 */
import type { DavCollection } from './collections.js';

export type NewItemKind = 'appointment' | 'task' | 'contact';

export interface PreviousChoice {
  readonly appointment?: string | undefined;
  readonly task?: string | undefined;
  readonly contact?: string | undefined;
}

/** A collection URL, or what to create because none fits. */
export type Chosen = { readonly url: string } | { readonly create: 'calendar' | 'tasks' | 'addressBook' };

export interface CollectionChoice {
  readonly appointment: Chosen;
  readonly task: Chosen;
  readonly contact: Chosen;
}

export function takes(calendar: DavCollection, component: 'VEVENT' | 'VTODO'): boolean {
  return (
    calendar.components === undefined ||
    calendar.components.length === 0 ||
    calendar.components.includes(component)
  );
}

function onlyTasks(calendar: DavCollection): boolean {
  return (
    calendar.components !== undefined &&
    calendar.components.length === 1 &&
    calendar.components[0] === 'VTODO'
  );
}

const byUrl = (a: DavCollection, b: DavCollection) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);

const sameUrl = (a: string, b: string) => a.replace(/\/$/, '') === b.replace(/\/$/, '');

function stillThere(
  collections: readonly DavCollection[],
  previous: string | undefined,
  fits: (collection: DavCollection) => boolean,
): DavCollection | undefined {
  if (previous === undefined) return undefined;
  return collections.find((collection) => sameUrl(collection.url, previous) && fits(collection));
}

export function chooseCollections(input: {
  readonly calendars: readonly DavCollection[];
  readonly addressBooks: readonly DavCollection[];
  readonly previous: PreviousChoice;
}): CollectionChoice {
  const calendars = [...input.calendars].sort(byUrl);
  const books = [...input.addressBooks].sort(byUrl);
  const forEvents = (calendar: DavCollection) => takes(calendar, 'VEVENT');
  const forTasks = (calendar: DavCollection) => takes(calendar, 'VTODO');

  const eventCalendar =
    stillThere(calendars, input.previous.appointment, forEvents) ?? calendars.find(forEvents);
  const taskCalendar =
    stillThere(calendars, input.previous.task, forTasks) ??
    calendars.find(onlyTasks) ??
    (eventCalendar && forTasks(eventCalendar) ? eventCalendar : undefined) ??
    calendars.find(forTasks);
  const addressBook = stillThere(books, input.previous.contact, () => true) ?? books[0];

  return {
    appointment: eventCalendar ? { url: eventCalendar.url } : { create: 'calendar' },
    // With no calendar at all, the one created for events takes tasks too.
    task: taskCalendar
      ? { url: taskCalendar.url }
      : eventCalendar
        ? { create: 'tasks' }
        : { create: 'calendar' },
    contact: addressBook ? { url: addressBook.url } : { create: 'addressBook' },
  };
}
