// The IMAP connector against the real Dovecot: probes in every TLS mode, and each failure an
// administrator can cause, checked both as ConnectorFailure details and as the alert the
// classifier picks.

import { describe, expect, it } from 'vitest';
import { imapConnector } from '../../../src/connectors/imap/connector.js';
import { createMailUser, deliverMail } from '../../support/mail-users.js';
import {
  SHORT_TIMEOUT_MS,
  closedPort,
  failureOf,
  greetThenCloseServer,
  byeServer,
  rawMessage,
  serverEndpoint,
  servers,
  silentServer,
} from './helpers.js';

describe('IMAP connector probe', () => {
  it.each(['none', 'starttls', 'implicit'] as const)(
    'logs in with TLS mode %s and reads the newest headers',
    async (tls) => {
      const user = await createMailUser('imap-probe');
      await deliverMail(rawMessage(user.email, 'first'), user.email);
      await deliverMail(rawMessage(user.email, 'second'), user.email);
      const s = servers();
      const report = await imapConnector.probe(
        serverEndpoint(tls === 'implicit' ? s.imaps : s.imap, tls),
        user,
      );
      expect(report.protocol).toBe('imap');
      expect(report.facts).toMatchObject({ secure: tls !== 'none', messages: 2, newestUid: 2 });
      expect(report.facts.newestHeaderBytes).toBeGreaterThan(50);
      expect(String(report.facts.uidValidity)).toMatch(/^\d+$/);
      expect(String(report.facts.capabilities)).toContain('IMAP4rev1');
      expect(report.summary).toContain('UID 2');
    },
  );

  it('succeeds on an empty INBOX', async () => {
    const user = await createMailUser('imap-empty');
    const report = await imapConnector.probe(serverEndpoint(servers().imap, 'starttls'), user);
    expect(report.facts).toMatchObject({ messages: 0, uidNext: 1 });
    expect(report.facts.newestUid).toBeUndefined();
  });

  it('does not mark the probed message as seen', async () => {
    const user = await createMailUser('imap-seen');
    await deliverMail(rawMessage(user.email, 'unseen'), user.email);
    await imapConnector.probe(serverEndpoint(servers().imap, 'none'), user);
    const { ImapFlow } = await import('../../../src/connectors/imap/client.js');
    const { imapOptions } = await import('../../support/mail-users.js');
    const client = new ImapFlow({ ...imapOptions(user), disableAutoIdle: true });
    await client.connect();
    try {
      const status = await client.status('INBOX', { unseen: true });
      expect(status.unseen).toBe(1);
    } finally {
      await client.logout();
    }
  });

  it('skips certificate checks when verifyCertificates is false', async () => {
    const user = await createMailUser('imap-noverify');
    const report = await imapConnector.probe(
      serverEndpoint(servers().imaps, 'implicit', { extraCa: undefined, verifyCertificates: false }),
      user,
    );
    expect(report.facts.secure).toBe(true);
  });
});

describe('IMAP connector failures', () => {
  it('wrong password → authenticate, A27-in (mailbox) or A26-in (profile), permanent', async () => {
    const user = await createMailUser('imap-badpass');
    const probe = imapConnector.probe(serverEndpoint(servers().imap, 'starttls'), {
      ...user,
      password: 'wrong',
    });
    const { details, classification } = await failureOf(probe, { channel: 'incoming' });
    expect(details).toMatchObject({
      protocol: 'imap',
      stage: 'authenticate',
      serverCode: 'AUTHENTICATIONFAILED',
    });
    expect(JSON.stringify(details)).not.toContain('wrong');
    expect(classification).toMatchObject({
      entryId: 'A27-in',
      code: 'InvalidIncomingMailboxCredentials',
      failure: 'permanent',
    });
    const asProfile = await failureOf(
      imapConnector.probe(serverEndpoint(servers().imap, 'none'), { ...user, password: 'wrong' }),
      { channel: 'incoming', credentialSource: 'profile' },
    );
    expect(asProfile.classification.entryId).toBe('A26-in');
  });

  it('closed port → connect ECONNREFUSED, A15-in, transient', async () => {
    const user = await createMailUser('imap-closed');
    const port = await closedPort();
    const { details, classification } = await failureOf(
      imapConnector.probe(serverEndpoint(port, 'none'), user),
      {
        channel: 'incoming',
      },
    );
    expect(details).toMatchObject({ stage: 'connect', errorCode: 'ECONNREFUSED', port: port.port });
    expect(classification).toMatchObject({ entryId: 'A15-in', failure: 'transient' });
    expect(classification.reason).toBe(`connection refused by 127.0.0.1:${port.port}`);
  });

  it('a server that accepts and never answers → greeting ETIMEDOUT, A16, transient', async () => {
    const user = await createMailUser('imap-silent');
    const silent = await silentServer();
    const started = Date.now();
    const { details, classification } = await failureOf(
      imapConnector.probe(serverEndpoint(silent.endpoint, 'none', { timeoutMs: SHORT_TIMEOUT_MS }), user),
      { channel: 'incoming' },
    );
    expect(Date.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 1_500);
    expect(details).toMatchObject({ stage: 'greeting', errorCode: 'ETIMEDOUT' });
    expect(classification).toMatchObject({ entryId: 'A16', failure: 'transient' });
  });

  it('the SMTP port → greeting UNEXPECTED_GREETING with the server words, A17, permanent', async () => {
    const user = await createMailUser('imap-smtpport');
    const started = Date.now();
    const { details, classification } = await failureOf(
      imapConnector.probe(serverEndpoint(servers().submission, 'none'), user),
      { channel: 'incoming' },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(details).toMatchObject({ stage: 'greeting', errorCode: 'UNEXPECTED_GREETING' });
    expect(details.serverText).toMatch(/^220 /);
    expect(classification).toMatchObject({ entryId: 'A17', failure: 'permanent' });
    expect(classification.reason).toContain('does not speak IMAP');
  });

  it('implicit TLS against the plain port → tls ERR_SSL_WRONG_VERSION_NUMBER, A33, permanent', async () => {
    const user = await createMailUser('imap-tlsmode');
    const { details, classification } = await failureOf(
      imapConnector.probe(serverEndpoint(servers().imap, 'implicit'), user),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(classification).toMatchObject({ entryId: 'A33', failure: 'permanent' });
  });

  it.each([
    ['implicit', 'imaps'],
    ['starttls', 'imap'],
  ] as const)('an untrusted certificate (%s) → tls, MR1-in, permanent', async (tls, port) => {
    const user = await createMailUser('imap-untrusted');
    const { details, classification } = await failureOf(
      imapConnector.probe(serverEndpoint(servers()[port], tls, { extraCa: undefined }), user),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(classification).toMatchObject({
      entryId: 'MR1-in',
      code: 'MailroomTlsCertificateUntrusted',
      failure: 'permanent',
    });
    expect(classification.values.tlsReason).toBe(
      'the certificate was issued by an authority that is not trusted',
    );
  });

  it('a server that greets and then drops the connection → CONNECTION_DROPPED, MR3-in, transient', async () => {
    const user = await createMailUser('imap-drop');
    const fake = await greetThenCloseServer('* OK IMAP4rev1 ready\r\n');
    const { details, classification } = await failureOf(
      imapConnector.probe(serverEndpoint(fake.endpoint, 'none'), user),
      {
        channel: 'incoming',
      },
    );
    expect(details.stage).not.toBe('greeting');
    expect(['CONNECTION_DROPPED', 'ECONNRESET', 'EPIPE']).toContain(details.errorCode);
    expect(classification).toMatchObject({ entryId: 'MR3-in', failure: 'transient' });
  });

  it('a BYE greeting → greeting SERVICE_REFUSED with the reason, C10, transient', async () => {
    const user = await createMailUser('imap-bye');
    const fake = await byeServer('* BYE Too many connections from your address\r\n');
    const { details, classification } = await failureOf(
      imapConnector.probe(serverEndpoint(fake.endpoint, 'none'), user),
      { channel: 'incoming' },
    );
    expect(details).toMatchObject({
      stage: 'greeting',
      errorCode: 'SERVICE_REFUSED',
      serverText: 'Too many connections from your address',
    });
    expect(classification).toMatchObject({ entryId: 'C10', failure: 'transient' });
  });
});
