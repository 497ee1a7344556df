/**
 * The requests a DAV probe (and later ACT sync) makes, each tagged with its
 * protocol and stage so that any failure comes out as a `ConnectorFailure`
 * naming the step, the URL and the status.
 */
import { propfind, type DAVResponse } from 'tsdav';
import { MAILROOM_CODES } from '../failure-codes.js';
import { connectorFailure } from '../failure.js';
import type { ConnectorFailure, ConnectorStage } from '../types.js';
import {
  davNetworkFailure,
  davStatusFailure,
  locationOf,
  type DavProtocol,
  type DavRequestTarget,
} from './failure.js';
import type { DavHttp } from './http.js';
import { readResources, resolve, type DavResource } from './multistatus.js';

export interface PropfindResult {
  readonly status: number;
  readonly statusText: string;
  /** for a 3xx answer: where it points, resolved */
  readonly location?: string | undefined;
  readonly resources: readonly DavResource[];
}

/** tsdav element names: prefixes d (DAV:), c (CalDAV), card (CardDAV) as tsdav declares them. */
export type PropName = `d:${string}` | `c:${string}` | `card:${string}`;

export class DavSession {
  constructor(private readonly http: DavHttp) {}

  /** PROPFIND, answered with whatever status came back (callers decide what a 404 means). */
  async propfind(
    protocol: DavProtocol,
    stage: ConnectorStage,
    url: string,
    props: readonly PropName[],
    depth: '0' | '1',
  ): Promise<PropfindResult> {
    const target: DavRequestTarget = { protocol, stage, method: 'PROPFIND', url };
    // tsdav keeps the status but drops the Location header of a redirect, so the raw response is kept aside.
    let raw: Response | undefined;
    const recordingFetch: typeof globalThis.fetch = async (input, init) => {
      raw = await this.http.fetch(input, init);
      return raw;
    };
    let responses: DAVResponse[];
    try {
      responses = await propfind({
        url,
        props: Object.fromEntries(props.map((name) => [name, {}])),
        depth,
        fetch: recordingFetch,
      });
    } catch (error) {
      throw davNetworkFailure(error, target);
    }
    const status = raw?.status ?? 0;
    if (status === 401) throw davStatusFailure(401, raw?.statusText ?? '', target);
    const location = raw?.headers.get('location') ?? undefined;
    return {
      status,
      statusText: raw?.statusText ?? '',
      location: status >= 300 && status < 400 && location !== undefined ? resolve(location, url) : undefined,
      resources: status === 207 ? readResources(responses, url) : [],
    };
  }

  /** PROPFIND that must answer 207 Multi-Status; anything else fails the step. */
  async propfindOrFail(
    protocol: DavProtocol,
    stage: ConnectorStage,
    url: string,
    props: readonly PropName[],
    depth: '0' | '1',
  ): Promise<readonly DavResource[]> {
    const result = await this.propfind(protocol, stage, url, props, depth);
    if (result.status !== 207) {
      throw davStatusFailure(result.status, result.statusText, { protocol, stage, method: 'PROPFIND', url });
    }
    return result.resources;
  }

  /**
   * Any other request; fails the step unless the status is one of `expected`.
   * Returns the response (its body not yet read).
   */
  async request(
    target: DavRequestTarget,
    init: { headers?: Record<string, string>; body?: string },
    expected: readonly number[],
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.http.fetch(target.url, { method: target.method, ...init });
    } catch (error) {
      throw davNetworkFailure(error, target);
    }
    if (!expected.includes(response.status)) {
      throw davStatusFailure(response.status, response.statusText, target, await errorText(response));
    }
    return response;
  }

  /** A failure for an answer that had the right status but the wrong content. */
  mismatch(target: DavRequestTarget, what: string): ConnectorFailure {
    return connectorFailure({
      ...locationOf(target.url),
      protocol: target.protocol,
      stage: target.stage,
      command: target.method,
      errorCode: MAILROOM_CODES.protocolError,
      serverText: what,
    });
  }
}

/** A plain-text error body is the server's explanation; HTML or XML bodies are not worth quoting. */
async function errorText(response: Response): Promise<string | undefined> {
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text().catch(() => '');
  if (!type.startsWith('text/plain') || text.trim() === '') return undefined;
  return `${response.status} ${response.statusText}: ${text.trim()}`;
}
