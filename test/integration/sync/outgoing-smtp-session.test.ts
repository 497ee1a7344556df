/**
 * The SMTP session the outgoing cycle sends a batch over: one connection for
 * many messages against real Dovecot submission (STARTTLS + AUTH) and the
 * tiny local server; RSET after a refused message; reconnect when a reused
 * connection was dropped; the final dot withheld when the hand-over fails;
 * a connection lost after the dot reported as unconfirmed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSmtpSession, type SmtpSession } from '../../../src/connectors/smtp/session.js';
import type { ServerEndpoint } from '../../../src/connectors/types.js';
import { createMailUser, readTestServers, testCa, waitForInboxMessage } from '../../support/mail-users.js';
import { startTinySmtp, type TinySmtp } from '../../support/tiny-smtp.js';

function rawMessage(subject: string, to: string): Buffer {
  return Buffer.from(
    [
      'From: sender@example.test',
      `To: ${to}`,
      `Subject: ${subject}`,
      `Message-ID: <${randomBytes(6).toString('hex')}@example.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of ${subject}`,
      '.leading dot line',
      '',
    ].join('\r\n'),
  );
}

describe('SMTP session reuse', () => {
  let tiny: TinySmtp;
  const sessions: SmtpSession[] = [];

  function tinySession(maxMessagesPerConnection?: number): SmtpSession {
    const endpoint: ServerEndpoint = {
      host: '127.0.0.1',
      port: tiny.port,
      tls: 'none',
      verifyCertificates: true,
      timeoutMs: 5_000,
    };
    const session = openSmtpSession(
      endpoint,
      { username: 'u', password: 'p' },
      maxMessagesPerConnection === undefined ? {} : { maxMessagesPerConnection },
    );
    sessions.push(session);
    return session;
  }

  beforeAll(async () => {
    tiny = await startTinySmtp();
  });
  afterAll(async () => {
    for (const session of sessions) await session.close();
    await tiny?.close();
  });

  it('sends many messages over one authenticated STARTTLS connection to Dovecot submission', async () => {
    const servers = readTestServers();
    const user = await createMailUser('session');
    const session = openSmtpSession(
      {
        host: 'localhost',
        port: servers.submission.port,
        tls: 'starttls',
        verifyCertificates: true,
        timeoutMs: 10_000,
        extraCa: testCa(servers).toString('utf8'),
      },
      { username: user.username, password: user.password },
    );
    sessions.push(session);
    const subjects = Array.from({ length: 6 }, (_, i) => `Reuse ${i} ${randomBytes(3).toString('hex')}`);
    for (const subject of subjects) {
      const outcome = await session.send(
        { from: user.email, to: [user.email] },
        rawMessage(subject, user.email),
      );
      expect(outcome).toMatchObject({ kind: 'accepted', accepted: [user.email], rejected: [] });
    }
    expect(session.stats).toMatchObject({ connections: 1, accepted: 6, retries: 0 });
    await session.close();
    for (const subject of subjects) await waitForInboxMessage(user, subject, 15_000);
  });

  it('keeps the connection after a refused message, with RSET before the next one', async () => {
    tiny.options = { refuse: { 'gone@example.test': '550 5.1.1 User unknown' } };
    const before = { connections: tiny.connections, rset: tiny.commands.filter((c) => c === 'RSET').length };
    const session = tinySession();
    const first = await session.send(
      { from: 'a@example.test', to: ['b@example.test'] },
      rawMessage('1', 'b'),
    );
    const refused = await session.send(
      { from: 'a@example.test', to: ['gone@example.test'] },
      rawMessage('2', 'gone'),
    );
    const third = await session.send(
      { from: 'a@example.test', to: ['c@example.test'] },
      rawMessage('3', 'c'),
    );
    expect(first.kind).toBe('accepted');
    expect(refused).toMatchObject({ kind: 'failed', unconfirmed: false });
    if (refused.kind === 'failed') expect(refused.failure.details.responseCode).toBe(550);
    expect(third.kind).toBe('accepted');
    expect(tiny.connections - before.connections).toBe(1);
    expect(tiny.commands.filter((c) => c === 'RSET').length - before.rset).toBe(1);
    expect(session.stats).toMatchObject({ connections: 1, accepted: 2, resets: 1 });
    tiny.options = {};
  });

  it('reconnects once when the server dropped a reused connection, without losing or doubling a message', async () => {
    tiny.options = { dropAfterMessages: 2 };
    const session = tinySession();
    const tag = randomBytes(3).toString('hex');
    const before = tiny.connections;
    for (let i = 0; i < 5; i += 1) {
      const outcome = await session.send(
        { from: 'a@example.test', to: ['b@example.test'] },
        rawMessage(`drop ${tag} ${i}`, 'b'),
      );
      expect(outcome.kind).toBe('accepted');
    }
    expect(session.stats).toMatchObject({ connections: 3, accepted: 5, retries: 2 });
    expect(tiny.connections - before).toBe(3);
    for (let i = 0; i < 5; i += 1)
      expect(tiny.messages.filter((m) => m.data.includes(`drop ${tag} ${i}`))).toHaveLength(1);
    tiny.options = {};
  });

  it('reconnects when the server caps messages per connection (452 to MAIL FROM)', async () => {
    tiny.options = { mailLimit: 2 };
    const session = tinySession();
    for (let i = 0; i < 5; i += 1)
      expect(
        (await session.send({ from: 'a@x.test', to: ['b@x.test'] }, rawMessage(`cap${i}`, 'b'))).kind,
      ).toBe('accepted');
    expect(session.stats).toMatchObject({ connections: 3, accepted: 5, retries: 2 });
    tiny.options = {};
  });

  it('opens a new connection after maxMessagesPerConnection messages', async () => {
    const session = tinySession(2);
    for (let i = 0; i < 5; i += 1)
      expect(
        (await session.send({ from: 'a@x.test', to: ['b@x.test'] }, rawMessage(`m${i}`, 'b'))).kind,
      ).toBe('accepted');
    expect(session.stats.connections).toBe(3);
  });

  it('withholds the final dot when the hand-over fails: the server keeps nothing', async () => {
    const session = tinySession();
    const subject = `Withheld ${randomBytes(3).toString('hex')}`;
    const refusal = new Error('lease lost');
    await expect(
      session.send({ from: 'a@example.test', to: ['b@example.test'] }, rawMessage(subject, 'b'), {
        handOver: () => Promise.reject(refusal),
      }),
    ).rejects.toBe(refusal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tiny.messages.some((m) => m.data.includes(subject))).toBe(false);
    // The session goes on with a fresh connection.
    let handedOver = 0;
    const next = await session.send(
      { from: 'a@example.test', to: ['b@example.test'] },
      rawMessage('next', 'b'),
      {
        handOver: async () => {
          handedOver += 1;
        },
      },
    );
    expect(next.kind).toBe('accepted');
    expect(handedOver).toBe(1);
  });

  it('does not hand over a message whose every recipient was refused', async () => {
    tiny.options = { refuse: { 'gone@example.test': '550 5.1.1 User unknown' } };
    const session = tinySession();
    let handedOver = 0;
    const outcome = await session.send(
      { from: 'a@example.test', to: ['gone@example.test'] },
      rawMessage('refused', 'gone'),
      {
        handOver: async () => {
          handedOver += 1;
        },
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outcome).toMatchObject({ kind: 'failed', unconfirmed: false });
    expect(handedOver).toBe(0);
    tiny.options = {};
  });

  it('reports a connection lost after the final dot as unconfirmed (the server did get the message)', async () => {
    tiny.options = { dropAtDataEnd: true };
    const session = tinySession();
    const subject = `Unconfirmed ${randomBytes(3).toString('hex')}`;
    const outcome = await session.send(
      { from: 'a@example.test', to: ['b@example.test'] },
      rawMessage(subject, 'b'),
      { handOver: async () => undefined },
    );
    expect(outcome).toMatchObject({ kind: 'failed', unconfirmed: true });
    expect(tiny.messages.filter((m) => m.data.includes(subject))).toHaveLength(1);
    tiny.options = {};
  });
});
