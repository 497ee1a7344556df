/**
 * Typed reading of tsdav's parsed PROPFIND answers. tsdav turns the XML into
 * loosely typed objects (element names camel-cased without namespace,
 * `{ href }` or `{ href: [...] }`, numbers where text looks numeric); this is
 * the one place that knows those shapes.
 */
import type { DAVResponse } from 'tsdav';
import { propertyOf } from '../node-errors.js';

export interface DavResource {
  /** absolute URL */
  readonly url: string;
  readonly status: number;
  /** child element names of DAV:resourcetype: collection, calendar, addressbook, principal… */
  readonly resourceTypes: readonly string[];
  readonly displayName?: string | undefined;
  /** CalDAV supported-calendar-component-set; undefined when the server does not say (all allowed) */
  readonly components?: readonly string[] | undefined;
  readonly currentUserPrincipal?: string | undefined;
  readonly calendarHomeSet?: string | undefined;
  readonly addressbookHomeSet?: string | undefined;
}

/** @param requestUrl the URL the PROPFIND went to, for resolving relative hrefs */
export function readResources(responses: readonly DAVResponse[], requestUrl: string): DavResource[] {
  return responses.flatMap((response) => {
    const href = typeof response.href === 'string' ? response.href : undefined;
    if (href === undefined) return [];
    const props: unknown = response.props;
    return [
      {
        url: resolve(href, requestUrl),
        status: response.status,
        resourceTypes: keysOf(propertyOf(props, 'resourcetype')),
        displayName: textOf(propertyOf(props, 'displayname')),
        components: componentsOf(propertyOf(props, 'supportedCalendarComponentSet')),
        currentUserPrincipal: hrefOf(propertyOf(props, 'currentUserPrincipal'), requestUrl),
        calendarHomeSet: hrefOf(propertyOf(props, 'calendarHomeSet'), requestUrl),
        addressbookHomeSet: hrefOf(propertyOf(props, 'addressbookHomeSet'), requestUrl),
      },
    ];
  });
}

/** Two URLs name the same collection (trailing slash and percent-encoding aside). */
export function sameResource(a: string, b: string): boolean {
  const normal = (url: string): string => {
    const parsed = new URL(url);
    const path = decodeURIComponent(parsed.pathname).replace(/\/+$/, '');
    return `${parsed.origin}${path}`;
  };
  return normal(a) === normal(b);
}

export function resolve(href: string, base: string): string {
  return new URL(href, base).toString();
}

function hrefOf(value: unknown, base: string): string | undefined {
  const href = propertyOf(value, 'href');
  const first: unknown = Array.isArray(href) ? href[0] : href;
  return typeof first === 'string' && first.trim() !== '' ? resolve(first.trim(), base) : undefined;
}

function keysOf(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).filter((key) => !key.startsWith('_'));
}

/** tsdav turns numeric-looking text into numbers ("2024" → 2024). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function componentsOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const comp = propertyOf(value, 'comp');
  const list: unknown[] = Array.isArray(comp) ? comp : comp === undefined ? [] : [comp];
  return list.flatMap((entry) => {
    const name = propertyOf(propertyOf(entry, '_attributes'), 'name');
    return typeof name === 'string' ? [name.toUpperCase()] : [];
  });
}
