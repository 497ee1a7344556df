/**
 * The CalDAV/CardDAV connector for appointments, contacts and tasks. The
 * probe discovers the calendar and address book homes, lists what is there
 * (creating a calendar that takes tasks and an address book when the account
 * has none), and proves read and write by putting, reading back and deleting
 * a test task and a test contact.
 */
import { connectorFailure } from '../failure.js';
import type { ActConnector, Credentials, DavEndpoint, ProbeReport } from '../types.js';
import { chooseCollections } from './collection-choice.js';
import {
  createAddressBook,
  createCalendar,
  listAddressBooks,
  listCalendars,
  type DavCollection,
} from './collections.js';
import { discoverHomes } from './discovery.js';
import { davHttpFor } from './http.js';
import { DavSession } from './session.js';
import { checkReadWrite, testContact, testTask } from './write-check.js';

export const davConnector: ActConnector = {
  protocol: 'caldav',
  probe: probeDav,
};

export async function probeDav(endpoint: DavEndpoint, credentials: Credentials): Promise<ProbeReport> {
  assertHttpUrl(endpoint.url);
  const http = davHttpFor(endpoint, credentials);
  try {
    const session = new DavSession(http);
    const homes = await discoverHomes(session, endpoint.url);

    const calendars = await listCalendars(session, homes.calendarHome);
    const addressBooks = await listAddressBooks(session, homes.addressBookHome);
    // The same choice as the ACT cycle's (where new tasks and contacts would go), without its memory.
    const choice = chooseCollections({ calendars, addressBooks, previous: {} });
    const calendarCreated = 'create' in choice.task;
    const calendar: DavCollection =
      'url' in choice.task
        ? { url: choice.task.url }
        : choice.task.create === 'calendar'
          ? await createCalendar(session, homes.calendarHome, 'Calendar', ['VEVENT', 'VTODO'])
          : await createCalendar(session, homes.calendarHome, 'Tasks', ['VTODO']);
    const addressBook: DavCollection =
      'url' in choice.contact
        ? { url: choice.contact.url }
        : await createAddressBook(session, homes.addressBookHome, 'Contacts');

    await checkReadWrite(session, calendar.url, testTask());
    await checkReadWrite(session, addressBook.url, testContact());

    return {
      protocol: 'caldav',
      summary:
        `Found the calendar home ${homes.calendarHome} and address book home ${homes.addressBookHome}` +
        `${created(calendarCreated, addressBooks.length === 0)}; wrote, read and deleted a test task and a test contact.`,
      facts: {
        url: endpoint.url,
        principal: homes.calendarPrincipal,
        calendarHome: homes.calendarHome,
        addressBookHome: homes.addressBookHome,
        calendars: calendars.length + (calendarCreated ? 1 : 0),
        addressBooks: Math.max(addressBooks.length, 1),
        taskCalendar: calendar.url,
        addressBook: addressBook.url,
        calendarCreated,
        addressBookCreated: addressBooks.length === 0,
      },
    };
  } finally {
    http.close();
  }
}

/** A profile URL that is not http(s) fails like a host that cannot be found, not with a TypeError. */
function assertHttpUrl(url: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'http:' || protocol === 'https:') return;
  throw connectorFailure({ protocol: 'caldav', stage: 'resolve', errorCode: 'ERR_INVALID_URL' });
}

function created(calendar: boolean, addressBook: boolean): string {
  const made = [calendar ? 'a calendar' : undefined, addressBook ? 'an address book' : undefined].filter(
    (part) => part !== undefined,
  );
  return made.length === 0 ? '' : ` (created ${made.join(' and ')})`;
}
