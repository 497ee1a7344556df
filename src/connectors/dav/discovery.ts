/**
 * Finding a user's calendar home and address book home (RFC 6764 §6, RFC
 * 4791 §6.2.1, RFC 6352 §7.1.1): ask /.well-known/caldav (and carddav) for
 * the current-user-principal, following redirects; if that finds nothing, ask
 * the configured URL itself; then ask the principal for its home sets.
 */
import { connectorFailure } from '../failure.js';
import { locationOf, type DavProtocol } from './failure.js';
import { sameResource } from './multistatus.js';
import type { DavSession } from './session.js';

export interface DavHomes {
  readonly calendarPrincipal: string;
  readonly addressBookPrincipal: string;
  readonly calendarHome: string;
  readonly addressBookHome: string;
}

/** RFC 6764 does not bound redirects; a handful covers real set-ups and stops loops. */
const MAX_REDIRECTS = 5;

export async function discoverHomes(session: DavSession, baseUrl: string): Promise<DavHomes> {
  const calendarPrincipal = await findPrincipal(session, baseUrl, 'caldav');
  const addressBookPrincipal = await findPrincipal(session, baseUrl, 'carddav');
  const calendarHome = await homeSet(session, calendarPrincipal, 'caldav');
  const addressBookHome = await homeSet(session, addressBookPrincipal, 'carddav');
  return { calendarPrincipal, addressBookPrincipal, calendarHome, addressBookHome };
}

async function findPrincipal(session: DavSession, baseUrl: string, protocol: DavProtocol): Promise<string> {
  const starts = [new URL(`/.well-known/${protocol}`, baseUrl).toString(), baseUrl];
  for (const start of starts) {
    const principal = await principalFrom(session, start, protocol);
    if (principal !== undefined) return principal;
  }
  throw connectorFailure({
    ...locationOf(baseUrl),
    protocol,
    stage: 'open',
    responseCode: 404,
    command: 'PROPFIND',
    serverText: `no current-user-principal at /.well-known/${protocol} or at ${baseUrl}`,
  });
}

/** The principal reached from one starting URL, or undefined when that URL does not know it. */
async function principalFrom(
  session: DavSession,
  start: string,
  protocol: DavProtocol,
): Promise<string | undefined> {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const result = await session.propfind(protocol, 'open', url, ['d:current-user-principal'], '0');
    if (result.location !== undefined) {
      // Credentials go only to the configured origin (see http.ts), so a
      // redirect elsewhere would arrive unauthenticated: treat it as a dead end.
      if (new URL(result.location).origin !== new URL(start).origin) return undefined;
      url = result.location;
      continue;
    }
    if (result.status !== 207) return undefined;
    return result.resources.find((resource) => resource.currentUserPrincipal !== undefined)
      ?.currentUserPrincipal;
  }
  return undefined;
}

async function homeSet(session: DavSession, principal: string, protocol: DavProtocol): Promise<string> {
  const property = protocol === 'caldav' ? 'c:calendar-home-set' : 'card:addressbook-home-set';
  const resources = await session.propfindOrFail(protocol, 'open', principal, [property], '0');
  const resource = resources.find((candidate) => sameResource(candidate.url, principal)) ?? resources[0];
  const home = protocol === 'caldav' ? resource?.calendarHomeSet : resource?.addressbookHomeSet;
  if (home !== undefined) return home;
  throw connectorFailure({
    ...locationOf(principal),
    protocol,
    stage: 'open',
    responseCode: 404,
    command: 'PROPFIND',
    serverText: `the principal ${principal} has no ${property.replace(/^\w+:/, '')}`,
  });
}
