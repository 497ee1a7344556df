// The DAV building blocks against scripted HTTP servers on 127.0.0.1 in this process: our
// fetch over node:http, reading multistatus answers, and discovery's redirect and fallback
// rules. Radicale itself is exercised in test/integration/connectors/dav.test.ts.

import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeDav } from '../../../src/connectors/dav/connector.js';
import { discoverHomes } from '../../../src/connectors/dav/discovery.js';
import { davStatusFailure } from '../../../src/connectors/dav/failure.js';
import { createDavHttp, type DavHttp } from '../../../src/connectors/dav/http.js';
import { readResources, sameResource } from '../../../src/connectors/dav/multistatus.js';
import { DavSession } from '../../../src/connectors/dav/session.js';
import { ConnectorFailure } from '../../../src/connectors/types.js';

type Route = (
  request: http.IncomingMessage,
  body: string,
) => { status: number; headers?: Record<string, string>; body?: string } | 'hang';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(
  route: Route,
): Promise<{ origin: string; requests: Array<{ method: string; url: string; authorization?: string }> }> {
  const requests: Array<{ method: string; url: string; authorization?: string }> = [];
  const sockets = new Set<net.Socket>();
  const httpServer = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization,
      });
      const answer = route(request, body);
      if (answer === 'hang') return;
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        httpServer.close(() => resolve());
      }),
  );
  return { origin: `http://127.0.0.1:${(httpServer.address() as net.AddressInfo).port}`, requests };
}

function davHttp(origin: string, timeoutMs = 1_000): DavHttp {
  const client = createDavHttp({
    origin,
    timeoutMs,
    verifyCertificates: true,
    credentials: { username: 'ann', password: 's3cret' },
  });
  cleanups.push(() => client.close());
  return client;
}

const multistatus = (
  responses: string,
): { status: number; headers: Record<string, string>; body: string } => ({
  status: 207,
  headers: { 'content-type': 'application/xml; charset=utf-8' },
  body: `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav">${responses}</d:multistatus>`,
});

const propResponse = (href: string, props: string): string =>
  `<d:response><d:href>${href}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;

const PRINCIPAL = propResponse(
  '/dav/',
  '<d:current-user-principal><d:href>/principals/ann/</d:href></d:current-user-principal>',
);
const HOMES = propResponse(
  '/principals/ann/',
  '<c:calendar-home-set><d:href>/cal/ann/</d:href></c:calendar-home-set><card:addressbook-home-set><d:href>/card/ann/</d:href></card:addressbook-home-set>',
);

describe('createDavHttp', () => {
  it('sends Basic credentials to its own origin only, and never follows redirects', async () => {
    const other = await server(() => ({ status: 200, body: 'other' }));
    const own = await server((request) =>
      request.url === '/moved'
        ? { status: 301, headers: { location: `${other.origin}/x` } }
        : { status: 204 },
    );
    const client = davHttp(own.origin);
    const moved = await client.fetch(`${own.origin}/moved`, { method: 'PROPFIND' });
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe(`${other.origin}/x`);
    expect(moved.url).toBe(`${own.origin}/moved`);
    expect(other.requests).toEqual([]);
    expect(own.requests[0]?.authorization).toBe(`Basic ${Buffer.from('ann:s3cret').toString('base64')}`);

    await client.fetch(`${other.origin}/x`);
    expect(other.requests[0]?.authorization).toBeUndefined();
    expect((await client.fetch(`${own.origin}/empty`, { method: 'DELETE' })).status).toBe(204);
  });

  it('sends the body with its length and returns the answer', async () => {
    const echo = await server((request, body) => ({
      status: 201,
      headers: { 'content-type': 'text/plain', 'x-length': request.headers['content-length'] ?? '' },
      body: `${request.method} ${body}`,
    }));
    const response = await davHttp(echo.origin).fetch(`${echo.origin}/item.ics`, {
      method: 'PUT',
      body: 'BEGIN:VCALENDAR é',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-length')).toBe(String(Buffer.byteLength('BEGIN:VCALENDAR é')));
    expect(await response.text()).toBe('PUT BEGIN:VCALENDAR é');
  });

  it('rejects with ETIMEDOUT when the server does not answer', async () => {
    const silent = await server(() => 'hang');
    const error: unknown = await davHttp(silent.origin, 300)
      .fetch(`${silent.origin}/`)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('rejects with Node’s code when nothing listens', async () => {
    const gone = await server(() => ({ status: 200 }));
    await cleanups.pop()?.();
    const error: unknown = await davHttp(gone.origin)
      .fetch(`${gone.origin}/`)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('honours an abort signal', async () => {
    const silent = await server(() => 'hang');
    const controller = new AbortController();
    const client = davHttp(silent.origin, 5_000);
    const pending = client.fetch(`${silent.origin}/`, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');
    await expect(client.fetch(`${silent.origin}/`, { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('readResources', () => {
  it('reads the shapes tsdav produces', () => {
    const resources = readResources(
      [
        {
          href: '/home/cal/',
          status: 207,
          statusText: 'Multi-Status',
          ok: true,
          props: {
            resourcetype: { collection: {}, calendar: {} },
            displayname: 2024,
            supportedCalendarComponentSet: {
              comp: [{ _attributes: { name: 'VEVENT' } }, { _attributes: { name: 'vtodo' } }],
            },
          },
        },
        {
          href: '/home/book/',
          status: 207,
          statusText: 'Multi-Status',
          ok: true,
          props: {
            resourcetype: { collection: {}, addressbook: {} },
            displayname: 'Contacts',
            calendarHomeSet: { href: ['/a/', '/b/'] },
          },
        },
        { status: 207, statusText: '', ok: true },
      ],
      'https://dav.example.test/home/',
    );
    expect(resources).toEqual([
      {
        url: 'https://dav.example.test/home/cal/',
        status: 207,
        resourceTypes: ['collection', 'calendar'],
        displayName: '2024',
        components: ['VEVENT', 'VTODO'],
        currentUserPrincipal: undefined,
        calendarHomeSet: undefined,
        addressbookHomeSet: undefined,
      },
      expect.objectContaining({
        url: 'https://dav.example.test/home/book/',
        resourceTypes: ['collection', 'addressbook'],
        components: undefined,
        calendarHomeSet: 'https://dav.example.test/a/',
      }),
    ]);
  });

  it('compares collection URLs loosely', () => {
    expect(sameResource('http://h/a%40b/', 'http://h/a@b')).toBe(true);
    expect(sameResource('http://h/a/', 'http://h/b/')).toBe(false);
  });
});

describe('discoverHomes', () => {
  it('follows the well-known redirect to the principal and its homes', async () => {
    const dav = await server((request) => {
      if (request.url?.startsWith('/.well-known/')) return { status: 301, headers: { location: '/dav/' } };
      if (request.url === '/dav/') return multistatus(PRINCIPAL);
      if (request.url === '/principals/ann/') return multistatus(HOMES);
      return { status: 404 };
    });
    const homes = await discoverHomes(new DavSession(davHttp(dav.origin)), dav.origin);
    expect(homes).toEqual({
      calendarPrincipal: `${dav.origin}/principals/ann/`,
      addressBookPrincipal: `${dav.origin}/principals/ann/`,
      calendarHome: `${dav.origin}/cal/ann/`,
      addressBookHome: `${dav.origin}/card/ann/`,
    });
  });

  it('falls back to the configured URL when there is no well-known entry', async () => {
    const dav = await server((request) => {
      if (request.url === '/dav/') return multistatus(PRINCIPAL);
      if (request.url === '/principals/ann/') return multistatus(HOMES);
      return { status: 404 };
    });
    const homes = await discoverHomes(new DavSession(davHttp(dav.origin)), `${dav.origin}/dav/`);
    expect(homes.calendarHome).toBe(`${dav.origin}/cal/ann/`);
  });

  it('does not follow a redirect to another origin (credentials would not go there)', async () => {
    const elsewhere = await server(() => multistatus(PRINCIPAL));
    const dav = await server(() => ({ status: 302, headers: { location: `${elsewhere.origin}/dav/` } }));
    const error: unknown = await discoverHomes(new DavSession(davHttp(dav.origin)), dav.origin).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectorFailure);
    expect((error as ConnectorFailure).details).toMatchObject({
      protocol: 'caldav',
      stage: 'open',
      responseCode: 404,
    });
    expect(elsewhere.requests).toEqual([]);
  });

  it('stops a redirect loop', async () => {
    const dav = await server((request) => ({
      status: 301,
      headers: { location: request.url === '/a' ? '/b' : '/a' },
    }));
    const error: unknown = await discoverHomes(new DavSession(davHttp(dav.origin)), `${dav.origin}/a`).catch(
      (caught: unknown) => caught,
    );
    expect((error as ConnectorFailure).details).toMatchObject({ stage: 'open', responseCode: 404 });
    expect(dav.requests.length).toBeLessThan(20);
  });

  it('fails authenticate on 401 at once', async () => {
    const dav = await server(() => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } }));
    const error: unknown = await discoverHomes(new DavSession(davHttp(dav.origin)), dav.origin).catch(
      (caught: unknown) => caught,
    );
    expect((error as ConnectorFailure).details).toMatchObject({
      stage: 'authenticate',
      responseCode: 401,
      command: 'PROPFIND',
    });
    expect(dav.requests).toHaveLength(1);
  });

  it('fails open when the principal has no calendar home', async () => {
    const dav = await server((request) => {
      if (request.url === '/.well-known/caldav' || request.url === '/.well-known/carddav')
        return multistatus(PRINCIPAL);
      return multistatus(propResponse('/principals/ann/', '<d:displayname>Ann</d:displayname>'));
    });
    const error: unknown = await discoverHomes(new DavSession(davHttp(dav.origin)), dav.origin).catch(
      (caught: unknown) => caught,
    );
    expect((error as ConnectorFailure).details).toMatchObject({
      protocol: 'caldav',
      stage: 'open',
      responseCode: 404,
    });
    expect((error as ConnectorFailure).details.serverText).toContain('calendar-home-set');
  });

  it('fails read with the status when the principal cannot be read', async () => {
    const dav = await server((request) => {
      if (request.url === '/.well-known/caldav' || request.url === '/.well-known/carddav')
        return multistatus(PRINCIPAL);
      return { status: 403, body: 'no' };
    });
    const error: unknown = await discoverHomes(new DavSession(davHttp(dav.origin)), dav.origin).catch(
      (caught: unknown) => caught,
    );
    expect((error as ConnectorFailure).details).toMatchObject({
      stage: 'open',
      responseCode: 403,
      url: `${dav.origin}/principals/ann/`,
    });
  });
});

describe('davStatusFailure', () => {
  it.each<[number, 'read' | 'write', string]>([
    [401, 'write', 'authenticate'],
    [404, 'read', 'open'],
    [410, 'write', 'open'],
    [403, 'read', 'read'],
    [403, 'write', 'write'],
    [500, 'write', 'write'],
  ])('%i during %s → stage %s', (status, stage, expected) => {
    const failure = davStatusFailure(status, 'x', {
      protocol: 'caldav',
      stage,
      method: 'PUT',
      url: 'https://h/c/',
    });
    expect(failure.details).toMatchObject({
      stage: expected,
      responseCode: status,
      host: 'h',
      port: 443,
      command: 'PUT',
    });
  });
});

describe('probeDav against a scripted server', () => {
  /** One principal whose homes hold `collections`; `put` answers item writes. */
  async function davServer(
    collections: string,
    put: (url: string) => { status: number; body?: string } = () => ({ status: 201 }),
  ) {
    const stored = new Map<string, string>();
    const made: string[] = [];
    const dav = await server((request, body) => {
      const url = request.url ?? '';
      if (request.method === 'PROPFIND' && url.startsWith('/.well-known/')) return multistatus(PRINCIPAL);
      if (request.method === 'PROPFIND' && url === '/principals/ann/') return multistatus(HOMES);
      if (request.method === 'PROPFIND' && (url === '/cal/ann/' || url === '/card/ann/')) {
        return multistatus(
          propResponse(url, '<d:resourcetype><d:collection/></d:resourcetype>') + collections,
        );
      }
      if (request.method === 'MKCALENDAR' || request.method === 'MKCOL') {
        made.push(
          `${request.method} ${body.includes('VTODO') ? 'VTODO' : ''}${body.includes('VEVENT') ? ' VEVENT' : ''}`.trim(),
        );
        return { status: 201 };
      }
      if (request.method === 'PUT') {
        const answer = put(url);
        if (answer.status < 300) stored.set(url, body);
        return answer;
      }
      if (request.method === 'GET') return { status: 200, body: stored.get(url) ?? 'something else' };
      if (request.method === 'DELETE') return { status: stored.delete(url) ? 204 : 404 };
      return { status: 405 };
    });
    return { dav, stored, made };
  }

  const credentials = { username: 'ann', password: 's3cret' };
  const endpoint = (origin: string) => ({ url: origin, verifyCertificates: true, timeoutMs: 1_000 });
  const calendar = (href: string, comps: string) =>
    propResponse(
      href,
      `<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname>${comps}`,
    );
  const book = propResponse(
    '/card/ann/book/',
    '<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>',
  );

  it('uses what exists, and leaves nothing behind', async () => {
    const { dav, stored, made } = await davServer(calendar('/cal/ann/work/', '') + book);
    const report = await probeDav(endpoint(dav.origin), credentials);
    expect(report.facts).toMatchObject({
      taskCalendar: `${dav.origin}/cal/ann/work/`,
      addressBook: `${dav.origin}/card/ann/book/`,
      calendarCreated: false,
      addressBookCreated: false,
    });
    expect(made).toEqual([]);
    expect(stored.size).toBe(0);
    expect(dav.requests.filter((request) => request.method === 'PUT').map((request) => request.url)).toEqual([
      expect.stringMatching(/^\/cal\/ann\/work\/mailroom-probe-.+\.ics$/),
      expect.stringMatching(/^\/card\/ann\/book\/mailroom-probe-.+\.vcf$/),
    ]);
  });

  it('creates a task calendar when no calendar takes VTODO', async () => {
    const eventsOnly =
      '<c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>';
    const { dav, made } = await davServer(calendar('/cal/ann/events/', eventsOnly) + book);
    const report = await probeDav(endpoint(dav.origin), credentials);
    expect(made).toEqual(['MKCALENDAR VTODO']);
    expect(report.facts).toMatchObject({ calendarCreated: true, calendars: 2, addressBookCreated: false });
  });

  it('reports a refused write as stage write with the collection', async () => {
    const { dav } = await davServer(calendar('/cal/ann/work/', '') + book, (url) =>
      url.startsWith('/card/') ? { status: 403, body: 'read-only' } : { status: 201 },
    );
    const error: unknown = await probeDav(endpoint(dav.origin), credentials).catch(
      (caught: unknown) => caught,
    );
    expect((error as ConnectorFailure).details).toMatchObject({
      protocol: 'carddav',
      stage: 'write',
      responseCode: 403,
      command: 'PUT',
    });
    expect((error as ConnectorFailure).details.url).toMatch(/\/card\/ann\/book\/mailroom-probe-/);
  });

  it('reports an item that does not read back as it was written', async () => {
    const { dav, stored } = await davServer(calendar('/cal/ann/work/', '') + book, () => ({ status: 204 }));
    const original = stored.set.bind(stored);
    stored.set = (key: string) => original(key, 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    const error: unknown = await probeDav(endpoint(dav.origin), credentials).catch(
      (caught: unknown) => caught,
    );
    expect((error as ConnectorFailure).details).toMatchObject({
      stage: 'read',
      command: 'GET',
      errorCode: 'PROTOCOL_ERROR',
    });
    expect(stored.size).toBe(0);
  });
});

describe('probeDav with a broken URL', () => {
  it.each(['not a url', 'ftp://dav.example.test/'])(
    '%j fails as a ConnectorFailure, not a TypeError',
    async (url) => {
      const error: unknown = await probeDav(
        { url, verifyCertificates: true, timeoutMs: 100 },
        { username: 'a', password: 'b' },
      ).catch((caught: unknown) => caught);
      expect((error as ConnectorFailure).details).toEqual({
        protocol: 'caldav',
        stage: 'resolve',
        errorCode: 'ERR_INVALID_URL',
      });
    },
  );
});
