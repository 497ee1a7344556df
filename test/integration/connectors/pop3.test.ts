// The POP3 connector (and the client under it) against the real Dovecot, plus local fake
// servers for silence and a dropped connection.

import { describe, expect, it } from 'vitest';
import { Pop3Client } from '../../../src/connectors/pop3/client.js';
import { pop3ClientOptions, pop3Connector } from '../../../src/connectors/pop3/connector.js';
import { createMailUser, deliverMail } from '../../support/mail-users.js';
import {
  SHORT_TIMEOUT_MS,
  closedPort,
  failureOf,
  greetThenCloseServer,
  rawMessage,
  serverEndpoint,
  servers,
  silentServer,
} from './helpers.js';

describe('POP3 connector probe', () => {
  it.each(['none', 'starttls', 'implicit'] as const)(
    'logs in with TLS mode %s and reads the newest headers',
    async (tls) => {
      const user = await createMailUser('pop-probe');
      await deliverMail(rawMessage(user.email, 'one'), user.email);
      await deliverMail(rawMessage(user.email, 'two'), user.email);
      const s = servers();
      const report = await pop3Connector.probe(
        serverEndpoint(tls === 'implicit' ? s.pop3s : s.pop3, tls),
        user,
      );
      expect(report.protocol).toBe('pop3');
      expect(report.facts).toMatchObject({ secure: tls !== 'none', messages: 2 });
      expect(String(report.facts.newestUid)).not.toBe('');
      expect(report.facts.newestHeaderBytes).toBeGreaterThan(50);
      expect(String(report.facts.capabilities)).toContain('UIDL');
    },
  );

  it('succeeds on an empty maildrop', async () => {
    const user = await createMailUser('pop-empty');
    const report = await pop3Connector.probe(serverEndpoint(servers().pop3, 'starttls'), user);
    expect(report.facts).toMatchObject({ messages: 0 });
  });

  it('skips certificate checks when verifyCertificates is false', async () => {
    const user = await createMailUser('pop-noverify');
    const report = await pop3Connector.probe(
      serverEndpoint(servers().pop3s, 'implicit', { extraCa: undefined, verifyCertificates: false }),
      user,
    );
    expect(report.facts.secure).toBe(true);
  });
});

describe('POP3 client for incoming sync', () => {
  it('lists by UIDL, fetches with RETR (dot-unstuffed), deletes with DELE and QUIT', async () => {
    const user = await createMailUser('pop-client');
    await deliverMail(rawMessage(user.email, 'keep'), user.email);
    await deliverMail(rawMessage(user.email, 'remove'), user.email);
    const options = pop3ClientOptions(serverEndpoint(servers().pop3, 'starttls'));

    const first = await Pop3Client.connect(options);
    await first.login(user.username, user.password);
    const uids = await first.uidl();
    expect(uids.map((entry) => entry.number)).toEqual([1, 2]);
    expect(new Set(uids.map((entry) => entry.uid)).size).toBe(2);
    expect(await first.uidlOf(2)).toBe(uids[1]?.uid);
    const message = (await first.retr(2)).toString('utf8');
    expect(message).toContain('Subject: remove');
    expect(message).toContain('\r\n.a line starting with a dot\r\n');
    expect((await first.list()).map((entry) => entry.number)).toEqual([1, 2]);
    await first.dele(2);
    await first.quit();

    const second = await Pop3Client.connect(options);
    await second.login(user.username, user.password);
    expect(await second.stat()).toMatchObject({ count: 1 });
    expect((await second.uidl()).map((entry) => entry.uid)).toEqual([uids[0]?.uid]);
    await second.quit();
  });
});

describe('POP3 connector failures', () => {
  it('wrong password → authenticate [AUTH], A27-in, permanent', async () => {
    const user = await createMailUser('pop-badpass');
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(servers().pop3, 'starttls'), { ...user, password: 'wrong' }),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({
      protocol: 'pop3',
      stage: 'authenticate',
      command: 'PASS',
      serverCode: 'AUTH',
    });
    expect(JSON.stringify(details)).not.toContain('wrong');
    expect(classification).toMatchObject({ entryId: 'A27-in', failure: 'permanent' });
  });

  it('closed port → connect ECONNREFUSED, A15-in, transient', async () => {
    const user = await createMailUser('pop-closed');
    const port = await closedPort();
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(port, 'none'), user),
      {
        channel: 'incoming',
      },
    );
    expect(details).toMatchObject({ stage: 'connect', errorCode: 'ECONNREFUSED' });
    expect(classification).toMatchObject({ entryId: 'A15-in', failure: 'transient' });
  });

  it('a server that accepts and never answers → greeting ETIMEDOUT, A16, transient', async () => {
    const user = await createMailUser('pop-silent');
    const silent = await silentServer();
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(silent.endpoint, 'none', { timeoutMs: SHORT_TIMEOUT_MS }), user),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({ stage: 'greeting', errorCode: 'ETIMEDOUT' });
    expect(classification).toMatchObject({ entryId: 'A16', failure: 'transient' });
  });

  it('a silent TLS handshake → ETIMEDOUT, A16', async () => {
    const user = await createMailUser('pop-silent-tls');
    const silent = await silentServer();
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(silent.endpoint, 'implicit', { timeoutMs: SHORT_TIMEOUT_MS }), user),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'ETIMEDOUT' });
    expect(classification.entryId).toBe('A16');
  });

  it('the IMAP port → greeting UNEXPECTED_GREETING, A17, permanent', async () => {
    const user = await createMailUser('pop-imapport');
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(servers().imap, 'none'), user),
      {
        channel: 'incoming',
      },
    );
    expect(details).toMatchObject({ stage: 'greeting', errorCode: 'UNEXPECTED_GREETING' });
    expect(details.serverText).toMatch(/^\* OK/);
    expect(classification).toMatchObject({ entryId: 'A17', failure: 'permanent' });
  });

  it('implicit TLS against the plain port → tls, A33, permanent', async () => {
    const user = await createMailUser('pop-tlsmode');
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(servers().pop3, 'implicit'), user),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(classification).toMatchObject({ entryId: 'A33', failure: 'permanent' });
  });

  it.each([
    ['implicit', 'pop3s'],
    ['starttls', 'pop3'],
  ] as const)('an untrusted certificate (%s) → tls, MR1-in, permanent', async (tls, port) => {
    const user = await createMailUser('pop-untrusted');
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(servers()[port], tls, { extraCa: undefined }), user),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(classification).toMatchObject({ entryId: 'MR1-in', failure: 'permanent' });
  });

  it('a server that greets like POP3 and then closes → CONNECTION_DROPPED, MR3-in, transient', async () => {
    const user = await createMailUser('pop-drop');
    const fake = await greetThenCloseServer('+OK POP3 ready\r\n');
    const { details, classification } = await failureOf(
      pop3Connector.probe(serverEndpoint(fake.endpoint, 'none'), user),
      {
        channel: 'incoming',
      },
    );
    expect(details.stage).toBe('authenticate');
    expect(['CONNECTION_DROPPED', 'ECONNRESET', 'EPIPE']).toContain(details.errorCode);
    expect(classification).toMatchObject({
      entryId: 'MR3-in',
      code: 'MailroomConnectionDropped',
      failure: 'transient',
    });
  });
});
