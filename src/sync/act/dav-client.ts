/**
 * The CalDAV/CardDAV requests of an ACT cycle, over the mailbox's DavSession:
 * what changed in a collection (RFC 6578 sync-collection, or a listing of
 * ETags when the server has no usable sync token), multiget of item bodies,
 * and conditional PUT/DELETE. Failures come out as ConnectorFailure
 * (classified with channel 'act' by the cycle).
 */
import { davRequest, type DAVResponse } from 'tsdav';
import { propertyOf } from '../../connectors/node-errors.js';
import { davNetworkFailure, davStatusFailure, type DavProtocol } from '../../connectors/dav/failure.js';
import type { DavHttp } from '../../connectors/dav/http.js';
import { resolve, sameResource } from '../../connectors/dav/multistatus.js';
import type { DavSession } from '../../connectors/dav/session.js';

export interface ItemVersion {
  readonly href: string;
  readonly etag: string;
}

export interface CollectionChanges {
  /** the token to store for next time; null when the server gave none */
  readonly token: string | null;
  /** new or changed items (a full listing: every item) */
  readonly changed: readonly ItemVersion[];
  /** items reported deleted (sync-token mode only) */
  readonly removed: readonly string[];
  /** true: `changed` lists every item; anything linked and not listed is gone */
  readonly full: boolean;
}

export interface FetchedItem extends ItemVersion {
  readonly body: string;
}

const NS = {
  'xmlns:d': 'DAV:',
  'xmlns:c': 'urn:ietf:params:xml:ns:caldav',
  'xmlns:card': 'urn:ietf:params:xml:ns:carddav',
};

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = propertyOf(value, '_text') ?? propertyOf(value, '_cdata');
  return typeof inner === 'string' ? inner : undefined;
}

export class ActDavClient {
  constructor(
    private readonly session: DavSession,
    private readonly http: DavHttp,
  ) {}

  private async report(
    protocol: DavProtocol,
    url: string,
    body: Record<string, unknown>,
    depth: string,
  ): Promise<{
    status: number;
    responses: DAVResponse[];
  }> {
    let status = 0;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await this.http.fetch(input, init);
      status = response.status;
      return response;
    };
    try {
      const responses = await davRequest({
        url,
        init: { method: 'REPORT', headers: { depth }, body },
        fetch,
      });
      return { status, responses };
    } catch (error) {
      throw davNetworkFailure(error, { protocol, stage: 'read', method: 'REPORT', url });
    }
  }

  /** Changes since `token` (sync-collection), or every item with its ETag when that is not possible. */
  async changes(protocol: DavProtocol, url: string, token: string | null): Promise<CollectionChanges> {
    const { status, responses } = await this.report(
      protocol,
      url,
      {
        'd:sync-collection': {
          _attributes: NS,
          'd:sync-token': token ?? '',
          'd:sync-level': 1,
          'd:prop': { 'd:getetag': {} },
        },
      },
      '1',
    );
    if (status === 207) {
      const raw: unknown = responses[0]?.raw;
      const newToken = text(propertyOf(propertyOf(raw, 'multistatus'), 'syncToken')) ?? null;
      const changed: ItemVersion[] = [];
      const removed: string[] = [];
      for (const response of responses) {
        if (typeof response.href !== 'string') continue;
        const href = resolve(response.href, url);
        if (sameResource(href, url)) continue;
        if (response.status === 404 || response.status === 410) {
          removed.push(href);
          continue;
        }
        const etag = text(propertyOf(response.props, 'getetag'));
        if (etag !== undefined) changed.push({ href, etag });
      }
      return { token: newToken, changed, removed, full: token === null };
    }
    if (status === 401)
      throw davStatusFailure(401, 'Unauthorized', { protocol, stage: 'read', method: 'REPORT', url });
    // No sync-collection, or the token is no longer valid: list everything.
    return { token: null, changed: await this.listing(protocol, url), removed: [], full: true };
  }

  async listing(protocol: DavProtocol, url: string): Promise<ItemVersion[]> {
    let status = 0;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const response = await this.http.fetch(input, init);
      status = response.status;
      return response;
    };
    let responses: DAVResponse[];
    try {
      responses = await davRequest({
        url,
        init: {
          method: 'PROPFIND',
          headers: { depth: '1' },
          body: { 'd:propfind': { _attributes: NS, 'd:prop': { 'd:getetag': {} } } },
        },
        fetch,
      });
    } catch (error) {
      throw davNetworkFailure(error, { protocol, stage: 'read', method: 'PROPFIND', url });
    }
    if (status !== 207) {
      throw davStatusFailure(status, 'listing failed', { protocol, stage: 'read', method: 'PROPFIND', url });
    }
    return responses.flatMap((response) => {
      if (typeof response.href !== 'string') return [];
      const href = resolve(response.href, url);
      if (sameResource(href, url)) return [];
      const etag = text(propertyOf(response.props, 'getetag'));
      return etag === undefined ? [] : [{ href, etag }];
    });
  }

  /** Bodies and ETags of items, by multiget in chunks. */
  async fetch(protocol: DavProtocol, url: string, hrefs: readonly string[]): Promise<FetchedItem[]> {
    const out: FetchedItem[] = [];
    const dataProp = protocol === 'caldav' ? 'c:calendar-data' : 'card:address-data';
    const dataKey = protocol === 'caldav' ? 'calendarData' : 'addressData';
    const report = protocol === 'caldav' ? 'c:calendar-multiget' : 'card:addressbook-multiget';
    for (let index = 0; index < hrefs.length; index += 200) {
      const chunk = hrefs.slice(index, index + 200);
      const { status, responses } = await this.report(
        protocol,
        url,
        {
          [report]: {
            _attributes: NS,
            'd:prop': { 'd:getetag': {}, [dataProp]: {} },
            'd:href': chunk.map((href) => new URL(href).pathname),
          },
        },
        '1',
      );
      if (status !== 207) {
        throw davStatusFailure(status, 'multiget failed', { protocol, stage: 'read', method: 'REPORT', url });
      }
      for (const response of responses) {
        // A found item has its status in its propstat (tsdav then reports the multistatus' 207).
        if (typeof response.href !== 'string' || (response.status >= 300 && response.status !== 207))
          continue;
        const etag = text(propertyOf(response.props, 'getetag'));
        const body = text(propertyOf(response.props, dataKey));
        if (etag !== undefined && body !== undefined)
          out.push({ href: resolve(response.href, url), etag, body });
      }
    }
    return out;
  }

  async get(protocol: DavProtocol, url: string): Promise<FetchedItem | undefined> {
    const response = await this.session.request(
      { protocol, stage: 'read', method: 'GET', url },
      {},
      [200, 404, 410],
    );
    if (response.status !== 200) return undefined;
    const body = await response.text();
    return { href: url, etag: response.headers.get('etag') ?? '', body };
  }

  /**
   * PUT with a precondition: `ifMatch` an ETag to change an item, or
   * undefined for a new one (If-None-Match: *). Returns the new ETag, or
   * 'conflict' when the precondition failed (412).
   */
  async put(
    protocol: DavProtocol,
    url: string,
    body: string,
    ifMatch: string | undefined,
  ): Promise<{ etag: string | null } | 'conflict'> {
    const contentType = protocol === 'caldav' ? 'text/calendar; charset=utf-8' : 'text/vcard; charset=utf-8';
    const response = await this.session.request(
      { protocol, stage: 'write', method: 'PUT', url },
      {
        headers: {
          'content-type': contentType,
          ...(ifMatch === undefined ? { 'if-none-match': '*' } : { 'if-match': ifMatch }),
        },
        body,
      },
      [200, 201, 204, 412],
    );
    await response.text().catch(() => '');
    if (response.status === 412) return 'conflict';
    return { etag: response.headers.get('etag') };
  }

  /** DELETE with If-Match; 'conflict' on 412, 'gone' when it was not there. */
  async delete(protocol: DavProtocol, url: string, etag: string): Promise<'deleted' | 'gone' | 'conflict'> {
    const response = await this.session.request(
      { protocol, stage: 'write', method: 'DELETE', url },
      { headers: { 'if-match': etag } },
      [200, 204, 404, 410, 412],
    );
    await response.text().catch(() => '');
    if (response.status === 412) return 'conflict';
    return response.status === 404 || response.status === 410 ? 'gone' : 'deleted';
  }

  /** The ETag of one item (for servers that answer a PUT without one). */
  async etagOf(protocol: DavProtocol, url: string): Promise<string | null> {
    const item = await this.get(protocol, url);
    return item?.etag || null;
  }
}
