// The CalDAV/CardDAV connector against the real Radicale over HTTP and HTTPS.

import { describe, expect, it } from 'vitest';
import { davConnector } from '../../../src/connectors/dav/connector.js';
import { createMailUser } from '../../support/mail-users.js';
import { SHORT_TIMEOUT_MS, closedPort, davEndpoint, failureOf, servers, silentServer } from './helpers.js';

describe('CalDAV/CardDAV connector probe', () => {
  it.each(['httpUrl', 'httpsUrl'] as const)(
    'discovers, creates a calendar and an address book, and checks read and write (%s)',
    async (scheme) => {
      const user = await createMailUser('dav-probe');
      const url = servers().dav[scheme];
      const first = await davConnector.probe(davEndpoint(url), user);
      const home = new URL(`/${encodeURIComponent(user.username)}/`, url).toString();
      expect(first.facts).toMatchObject({
        principal: home,
        calendarHome: home,
        addressBookHome: home,
        calendarCreated: true,
        addressBookCreated: true,
        calendars: 1,
        addressBooks: 1,
      });
      expect(String(first.facts.taskCalendar).startsWith(home)).toBe(true);

      const second = await davConnector.probe(davEndpoint(url), user);
      expect(second.facts).toMatchObject({
        calendarCreated: false,
        addressBookCreated: false,
        taskCalendar: first.facts.taskCalendar,
        addressBook: first.facts.addressBook,
      });
    },
  );

  it('skips certificate checks when verifyCertificates is false', async () => {
    const user = await createMailUser('dav-noverify');
    const report = await davConnector.probe(
      davEndpoint(servers().dav.httpsUrl, { extraCa: undefined, verifyCertificates: false }),
      user,
    );
    expect(report.facts.calendarCreated).toBe(true);
  });
});

describe('CalDAV/CardDAV connector failures', () => {
  it('wrong password → authenticate 401, A12-act, permanent', async () => {
    const user = await createMailUser('dav-badpass');
    const { details, classification } = await failureOf(
      davConnector.probe(davEndpoint(servers().dav.httpUrl), { ...user, password: 'wrong' }),
      { channel: 'act' },
    );
    expect(details).toMatchObject({ protocol: 'caldav', stage: 'authenticate', responseCode: 401 });
    expect(JSON.stringify(details)).not.toContain('wrong');
    expect(classification).toMatchObject({ entryId: 'A12-act', failure: 'permanent' });
  });

  it('closed port → connect ECONNREFUSED, A15-act, transient', async () => {
    const user = await createMailUser('dav-closed');
    const port = await closedPort();
    const { details, classification } = await failureOf(
      davConnector.probe(davEndpoint(`http://127.0.0.1:${port.port}`), user),
      { channel: 'act' },
    );
    expect(details).toMatchObject({ stage: 'connect', errorCode: 'ECONNREFUSED' });
    expect(classification).toMatchObject({ entryId: 'A15-act', failure: 'transient' });
  });

  it('a server that accepts and never answers → ETIMEDOUT, A16-act, transient', async () => {
    const user = await createMailUser('dav-silent');
    const silent = await silentServer();
    const { details, classification } = await failureOf(
      davConnector.probe(
        davEndpoint(`http://127.0.0.1:${silent.endpoint.port}`, { timeoutMs: SHORT_TIMEOUT_MS }),
        user,
      ),
      { channel: 'act' },
    );
    expect(details).toMatchObject({ errorCode: 'ETIMEDOUT' });
    expect(classification).toMatchObject({ entryId: 'A16-act', failure: 'transient' });
  });

  it('a port that does not speak HTTP → greeting UNEXPECTED_GREETING, A15-act', async () => {
    const user = await createMailUser('dav-imapport');
    const { details, classification } = await failureOf(
      davConnector.probe(davEndpoint(`http://127.0.0.1:${servers().imap.port}`), user),
      { channel: 'act' },
    );
    expect(details).toMatchObject({ stage: 'greeting', errorCode: 'UNEXPECTED_GREETING' });
    expect(classification.entryId).toBe('A15-act');
    expect(classification.reason).toContain('does not speak CalDAV');
  });

  it('https against the plain HTTP port → tls, MR2, permanent', async () => {
    const user = await createMailUser('dav-tlsmode');
    const { details, classification } = await failureOf(
      davConnector.probe(davEndpoint(servers().dav.httpUrl.replace(/^http:/, 'https:')), user),
      { channel: 'act' },
    );
    expect(details.stage).toBe('tls');
    expect(classification).toMatchObject({ entryId: 'MR2', failure: 'permanent' });
  });

  it('an untrusted certificate → tls, MR1-act, permanent', async () => {
    const user = await createMailUser('dav-untrusted');
    const { details, classification } = await failureOf(
      davConnector.probe(davEndpoint(servers().dav.httpsUrl, { extraCa: undefined }), user),
      { channel: 'act' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(classification).toMatchObject({ entryId: 'MR1-act', failure: 'permanent' });
  });
});
