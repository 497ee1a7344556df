/**
 * A `fetch` for CalDAV/CardDAV over node:http and node:https. The global
 * fetch (undici) cannot be told which CA to trust per request without
 * undici's `Agent`, which is not a dependency of this project; node:https can.
 * The function has fetch's signature so that tsdav (`fetchOverride`) and our
 * own requests share one transport with the endpoint's trust settings,
 * timeout and credentials.
 *
 * Differences from fetch, on purpose:
 * - redirects are never followed (as with `redirect: 'manual'`, but the 3xx
 *   response and its Location header are visible); discovery follows them
 *   itself;
 * - failures reject with Node's error (its `code` intact: ECONNREFUSED,
 *   DEPTH_ZERO_SELF_SIGNED_CERT, ETIMEDOUT…) instead of a TypeError;
 * - credentials are added as Basic authorization, only for the endpoint's own
 *   origin, so a redirect elsewhere never receives them.
 */
import http from 'node:http';
import https from 'node:https';
import { TIMEOUT_CODE } from '../failure-codes.js';
import { trustOptions, type TrustSettings } from '../tls-options.js';
import type { Credentials, DavEndpoint } from '../types.js';

export interface DavHttpOptions extends TrustSettings {
  /** the origin credentials are sent to, e.g. https://dav.example.com */
  readonly origin: string;
  readonly timeoutMs: number;
  readonly credentials?: Credentials | undefined;
}

export interface DavHttp {
  readonly fetch: typeof globalThis.fetch;
  /** closes kept-alive connections */
  close(): void;
}

export function createDavHttp(options: DavHttpOptions): DavHttp {
  const agentOptions = { keepAlive: true, maxSockets: 4, ...trustOptions(options) };
  const httpsAgent = new https.Agent(agentOptions);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const origin = new URL(options.origin).origin;
  const authorization =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`, 'utf8').toString('base64')}`;

  const davFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (authorization !== undefined && url.origin === origin && !headers.has('authorization')) {
      headers.set('authorization', authorization);
    }
    const body = await bodyBytes(init?.body ?? null);
    if (body !== undefined) headers.set('content-length', String(body.length));
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') throw new TypeError(`unsupported URL scheme ${url.protocol}`);
    const signal = init?.signal ?? undefined;

    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const request = (secure ? https : http).request(url, {
        method,
        headers: Object.fromEntries(headers.entries()),
        agent: secure ? httpsAgent : httpAgent,
        timeout: options.timeoutMs,
      });
      const abort = (): void => {
        request.destroy(abortReason(signal));
      };
      signal?.addEventListener('abort', abort, { once: true });
      // `timeout` is an inactivity timeout on the socket; Node only reports it.
      request.on('timeout', () => request.destroy(timeoutError(options.timeoutMs)));
      request.on('error', (error) => {
        signal?.removeEventListener('abort', abort);
        reject(error);
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          signal?.removeEventListener('abort', abort);
          try {
            resolve(toResponse(url, response, Buffer.concat(chunks)));
          } catch (error) {
            reject(error);
          }
        });
      });
      request.end(body);
    });
  };

  return {
    fetch: davFetch,
    close: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

function abortReason(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : new Error('request aborted');
}

function timeoutError(timeoutMs: number): Error {
  return Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: TIMEOUT_CODE });
}

/** Request bodies DAV clients send: text (XML, iCalendar, vCard) or bytes. */
async function bodyBytes(body: RequestInit['body']): Promise<Buffer | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), 'utf8');
  throw new TypeError('unsupported request body type');
}

/** Statuses after which fetch's Response must have no body. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

function toResponse(url: URL, response: http.IncomingMessage, body: Buffer): Response {
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 599) {
    throw Object.assign(new Error(`HTTP status ${status} from ${url.origin}`), {
      code: 'HPE_INVALID_STATUS',
    });
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const result = new Response(NULL_BODY_STATUSES.has(status) ? null : body, {
    status,
    statusText: response.statusMessage ?? '',
    headers,
  });
  // Response.url is read-only and empty for constructed responses; callers use it to resolve hrefs.
  Object.defineProperty(result, 'url', { value: url.toString() });
  return result;
}

/** The HTTP client for a profile's CalDAV/CardDAV endpoint, as the probe and the sync use it. */
export function davHttpFor(endpoint: DavEndpoint, credentials: Credentials): DavHttp {
  return createDavHttp({
    origin: endpoint.url,
    timeoutMs: endpoint.timeoutMs,
    verifyCertificates: endpoint.verifyCertificates,
    extraCa: endpoint.extraCa,
    credentials,
  });
}
