// The SMTP connector against the real Dovecot submission service (relayed by OpenSMTPD back into
// Dovecot), plus local fake servers for silence and a dropped connection.

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { smtpConnector } from '../../../src/connectors/smtp/connector.js';
import { testMessageSubject } from '../../../src/diagnostics/render.js';
import { createMailUser, waitForInboxMessage } from '../../support/mail-users.js';
import {
  SHORT_TIMEOUT_MS,
  closedPort,
  failureOf,
  greetThenCloseServer,
  serverEndpoint,
  servers,
  silentServer,
} from './helpers.js';

describe('SMTP connector', () => {
  it('probes submission with STARTTLS and AUTH', async () => {
    const user = await createMailUser('smtp-probe');
    const report = await smtpConnector.probe(serverEndpoint(servers().submission, 'starttls'), user);
    expect(report).toMatchObject({ protocol: 'smtp', facts: { authenticated: true, tls: 'starttls' } });
  });

  it('sends the Test & Enable message to the mailbox itself; it arrives in the INBOX', async () => {
    const user = await createMailUser('smtp-send');
    const subject = `${testMessageSubject('Mailroom')} ${randomUUID()}`;
    const messageId = `${randomUUID()}@mailroom.test`;
    const result = await smtpConnector.send(serverEndpoint(servers().submission, 'starttls'), user, {
      from: user.email,
      to: [user.email],
      subject,
      text: 'This message was sent by Mailroom to test the mailbox.',
      messageId,
    });
    expect(result).toEqual({ messageId: `<${messageId}>`, accepted: [user.email], rejected: [] });
    expect(await waitForInboxMessage(user, subject)).toBeGreaterThan(0);
  });

  it('sends without TLS when the profile says none', async () => {
    const user = await createMailUser('smtp-plain');
    const result = await smtpConnector.send(serverEndpoint(servers().submission, 'none'), user, {
      from: user.email,
      to: [user.email],
      subject: 'plain',
      text: 'x',
    });
    expect(result.messageId).toMatch(/^<.+@.+>$/);
  });

  it('reports refused recipients while the rest is sent', async () => {
    const user = await createMailUser('smtp-partial');
    const result = await smtpConnector.send(serverEndpoint(servers().submission, 'starttls'), user, {
      from: user.email,
      to: [user.email, 'bad@@x'],
      subject: 'partial',
      text: 'x',
    });
    expect(result.accepted).toEqual([user.email]);
    expect(result.rejected).toHaveLength(1);
  });

  it('skips certificate checks when verifyCertificates is false', async () => {
    const user = await createMailUser('smtp-noverify');
    const report = await smtpConnector.probe(
      serverEndpoint(servers().submission, 'starttls', { extraCa: undefined, verifyCertificates: false }),
      user,
    );
    expect(report.facts.authenticated).toBe(true);
  });
});

describe('SMTP connector failures', () => {
  it('wrong password → authenticate 535, A27-out (mailbox) / A26-out (profile), permanent', async () => {
    const user = await createMailUser('smtp-badpass');
    const endpoint = serverEndpoint(servers().submission, 'starttls');
    const { details, classification } = await failureOf(
      smtpConnector.probe(endpoint, { ...user, password: 'wrong' }),
      {
        channel: 'outgoing',
      },
    );
    expect(details).toMatchObject({
      protocol: 'smtp',
      stage: 'authenticate',
      responseCode: 535,
      command: 'AUTH',
    });
    expect(JSON.stringify(details)).not.toContain('wrong');
    expect(classification).toMatchObject({
      entryId: 'A27-out',
      code: 'InvalidOutgoingMailboxCredentials',
      failure: 'permanent',
    });
    expect(classification.values.smtpReply).toMatch(/^535 /);
    const asProfile = await failureOf(smtpConnector.probe(endpoint, { ...user, password: 'wrong' }), {
      channel: 'outgoing',
      credentialSource: 'profile',
    });
    expect(asProfile.classification.entryId).toBe('A26-out');
  });

  it('closed port → connect ECONNREFUSED, A15, transient', async () => {
    const user = await createMailUser('smtp-closed');
    const port = await closedPort();
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(port, 'starttls'), user),
      {
        channel: 'outgoing',
      },
    );
    expect(details).toMatchObject({ stage: 'connect', errorCode: 'ECONNREFUSED' });
    expect(classification).toMatchObject({ entryId: 'A15', failure: 'transient' });
    expect(classification.reason).toBe(`connection refused by 127.0.0.1:${port.port}`);
  });

  it('a server that accepts and never answers → greeting ETIMEDOUT, A16-out, transient', async () => {
    const user = await createMailUser('smtp-silent');
    const silent = await silentServer();
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(silent.endpoint, 'starttls', { timeoutMs: SHORT_TIMEOUT_MS }), user),
      { channel: 'outgoing' },
    );
    expect(details).toMatchObject({ stage: 'greeting', errorCode: 'ETIMEDOUT' });
    expect(classification).toMatchObject({ entryId: 'A16-out', failure: 'transient' });
  });

  it('the IMAP port → greeting UNEXPECTED_GREETING, A18, permanent', async () => {
    const user = await createMailUser('smtp-imapport');
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(servers().imap, 'starttls'), user),
      { channel: 'outgoing' },
    );
    expect(details).toMatchObject({ stage: 'greeting', errorCode: 'UNEXPECTED_GREETING' });
    expect(details.serverText).toMatch(/^\* OK/);
    expect(classification).toMatchObject({ entryId: 'A18', failure: 'permanent' });
  });

  it('a server without AUTH (the relay) → authenticate 503, A18, permanent', async () => {
    const user = await createMailUser('smtp-noauth');
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(servers().relay, 'none'), user),
      {
        channel: 'outgoing',
      },
    );
    expect(details).toMatchObject({ stage: 'authenticate', responseCode: 503 });
    expect(classification).toMatchObject({ entryId: 'A18', failure: 'permanent' });
  });

  it('STARTTLS required but not offered → tls STARTTLS_UNAVAILABLE, A19, permanent', async () => {
    const user = await createMailUser('smtp-nostarttls');
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(servers().relay, 'starttls'), user),
      { channel: 'outgoing' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'STARTTLS_UNAVAILABLE', command: 'STARTTLS' });
    expect(classification).toMatchObject({ entryId: 'A19', failure: 'permanent' });
  });

  it('implicit TLS against the plain port → tls ERR_SSL_WRONG_VERSION_NUMBER, A19, permanent', async () => {
    const user = await createMailUser('smtp-tlsmode');
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(servers().submission, 'implicit'), user),
      { channel: 'outgoing' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(classification).toMatchObject({
      entryId: 'A19',
      code: 'OutgoingEmailAuthenticationError',
      failure: 'permanent',
    });
  });

  it('an untrusted certificate → tls, MR1-out, permanent', async () => {
    const user = await createMailUser('smtp-untrusted');
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(servers().submission, 'starttls', { extraCa: undefined }), user),
      { channel: 'outgoing' },
    );
    expect(details).toMatchObject({ stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(classification).toMatchObject({ entryId: 'MR1-out', failure: 'permanent' });
  });

  it('every recipient refused → send with the reply; A18 during Test & Enable, MR8 during sync', async () => {
    const user = await createMailUser('smtp-rcpt');
    const sending = (): Promise<unknown> =>
      smtpConnector.send(serverEndpoint(servers().submission, 'starttls'), user, {
        from: user.email,
        to: ['bad@@x'],
        subject: 'refused',
        text: 'x',
      });
    const test = await failureOf(sending(), { channel: 'outgoing', during: 'test' });
    expect(test.details).toMatchObject({ stage: 'send', command: 'RCPT TO', recipient: 'bad@@x' });
    expect(test.details.responseCode).toBeGreaterThanOrEqual(500);
    expect(test.classification).toMatchObject({ entryId: 'A18', failure: 'permanent' });
    const sync = await failureOf(sending(), { channel: 'outgoing', during: 'sync' });
    expect(sync.classification).toMatchObject({ entryId: 'MR8', failure: 'permanent' });
    expect(sync.classification.values.recipients).toBe('bad@@x');
  });

  it('a server that greets and then drops the connection → F5, transient', async () => {
    const user = await createMailUser('smtp-drop');
    const fake = await greetThenCloseServer('220 fake.test ESMTP\r\n');
    const { details, classification } = await failureOf(
      smtpConnector.probe(serverEndpoint(fake.endpoint, 'none'), user),
      {
        channel: 'outgoing',
      },
    );
    expect(['CONNECTION_DROPPED', 'ECONNRESET', 'EPIPE']).toContain(details.errorCode);
    expect(classification).toMatchObject({ entryId: 'F5', failure: 'transient' });
  });
});
