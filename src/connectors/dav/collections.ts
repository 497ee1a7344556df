/**
 * Listing the calendars and address books in their homes, and creating one
 * when the account has none: MKCALENDAR (RFC 4791 §5.3.1) for a calendar,
 * extended MKCOL (RFC 5689) for an address book, which tsdav cannot create.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorStage } from '../types.js';
import type { DavProtocol } from './failure.js';
import { sameResource, type DavResource } from './multistatus.js';
import type { DavSession } from './session.js';

export interface DavCollection {
  readonly url: string;
  readonly displayName?: string | undefined;
  /** calendar components it accepts; undefined = any */
  readonly components?: readonly string[] | undefined;
}

export async function listCalendars(session: DavSession, home: string): Promise<DavCollection[]> {
  return (await children(session, 'caldav', home)).filter((child) =>
    child.resourceTypes.includes('calendar'),
  );
}

export async function listAddressBooks(session: DavSession, home: string): Promise<DavCollection[]> {
  return (await children(session, 'carddav', home)).filter((child) =>
    child.resourceTypes.includes('addressbook'),
  );
}

/** A calendar that takes tasks (VTODO); a calendar that states no component set takes any. */
export function acceptsTasks(calendar: DavCollection): boolean {
  return (
    calendar.components === undefined ||
    calendar.components.length === 0 ||
    calendar.components.includes('VTODO')
  );
}

async function children(session: DavSession, protocol: DavProtocol, home: string): Promise<DavResource[]> {
  const resources = await session.propfindOrFail(
    protocol,
    'read',
    home,
    ['d:resourcetype', 'd:displayname', 'c:supported-calendar-component-set'],
    '1',
  );
  return resources.filter((resource) => !sameResource(resource.url, home));
}

export async function createCalendar(
  session: DavSession,
  home: string,
  displayName: string,
  components: readonly string[],
): Promise<DavCollection> {
  const url = new URL(`${randomUUID()}/`, withSlash(home)).toString();
  const comps = components.map((name) => `<C:comp name="${name}"/>`).join('');
  const body = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>${escapeXml(displayName)}</D:displayname>
    <C:supported-calendar-component-set>${comps}</C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`;
  await session.request(target('caldav', 'MKCALENDAR', url), { headers: XML, body }, [201]);
  return { url, displayName, components };
}

export async function createAddressBook(
  session: DavSession,
  home: string,
  displayName: string,
): Promise<DavCollection> {
  const url = new URL(`${randomUUID()}/`, withSlash(home)).toString();
  const body = `<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
    <D:displayname>${escapeXml(displayName)}</D:displayname>
  </D:prop></D:set>
</D:mkcol>`;
  await session.request(target('carddav', 'MKCOL', url), { headers: XML, body }, [201]);
  return { url, displayName };
}

const XML = { 'content-type': 'application/xml; charset=utf-8' };

function target(
  protocol: DavProtocol,
  method: string,
  url: string,
): {
  protocol: DavProtocol;
  stage: ConnectorStage;
  method: string;
  url: string;
} {
  return { protocol, stage: 'write', method, url };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
