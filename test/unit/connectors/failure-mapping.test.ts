// How library errors become ConnectorFailure details: imapflow's and nodemailer's error shapes
// as observed against Dovecot (see test/integration/connectors), reproduced as plain objects.

import { describe, expect, it } from 'vitest';
import { imapFailure } from '../../../src/connectors/imap/failure.js';
import { looksLikeImapGreeting } from '../../../src/connectors/imap/greeting-watch.js';
import { pop3Failure } from '../../../src/connectors/pop3/failure.js';
import { Pop3Error } from '../../../src/connectors/pop3/errors.js';
import { smtpFailure } from '../../../src/connectors/smtp/failure.js';
import { ConnectorFailure, type ServerEndpoint } from '../../../src/connectors/types.js';

const ENDPOINT: ServerEndpoint = {
  host: '127.0.0.1',
  port: 143,
  tls: 'starttls',
  verifyCertificates: true,
  timeoutMs: 1000,
};

function err(message: string, props: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), props);
}

describe('imapFailure', () => {
  it.each<[string, unknown, { stage: string; greeting?: string }, Record<string, unknown>]>([
    [
      'a refused login',
      err('Command failed', {
        authenticationFailed: true,
        serverResponseCode: 'AUTHENTICATIONFAILED',
        responseText: 'Authentication failed.',
        executedCommand: '2 AUTHENTICATE PLAIN',
        responseStatus: 'NO',
      }),
      { stage: 'authenticate', greeting: '* OK ready' },
      {
        stage: 'authenticate',
        serverCode: 'AUTHENTICATIONFAILED',
        serverText: 'Authentication failed.',
        command: 'AUTHENTICATE',
      },
    ],
    [
      'LOGINDISABLED',
      Object.assign(new Error('Login is disabled'), { authenticationFailed: true }),
      { stage: 'authenticate', greeting: '* OK' },
      { stage: 'authenticate', serverCode: 'LOGINDISABLED', command: 'LOGIN' },
    ],
    [
      'a connect deadline',
      err('Failed', { code: 'CONNECT_TIMEOUT' }),
      { stage: 'connect' },
      { stage: 'connect', errorCode: 'ETIMEDOUT' },
    ],
    [
      'no greeting',
      err('Failed', { code: 'GREETING_TIMEOUT' }),
      { stage: 'connect' },
      { stage: 'greeting', errorCode: 'ETIMEDOUT' },
    ],
    [
      'an idle socket before the greeting',
      err('Socket timeout', { code: 'ETIMEOUT' }),
      { stage: 'connect' },
      { stage: 'greeting', errorCode: 'ETIMEDOUT' },
    ],
    [
      'an idle socket while reading',
      err('Socket timeout', { code: 'ETIMEOUT' }),
      { stage: 'read', greeting: '* OK' },
      { stage: 'read', errorCode: 'ETIMEDOUT' },
    ],
    [
      'a STARTTLS timeout',
      err('x', { code: 'UPGRADE_TIMEOUT' }),
      { stage: 'authenticate', greeting: '* OK' },
      { stage: 'tls', errorCode: 'ETIMEDOUT' },
    ],
    [
      'a BYE greeting',
      err('Unexpected close', { code: 'ClosedAfterConnectText', reason: 'Too many connections' }),
      { stage: 'authenticate', greeting: '* BYE Too many connections' },
      { stage: 'greeting', errorCode: 'SERVICE_REFUSED', serverText: 'Too many connections' },
    ],
    [
      'a close after the greeting',
      err('Unexpected close', { code: 'ClosedAfterConnectText' }),
      { stage: 'authenticate', greeting: '* OK ready' },
      { stage: 'authenticate', errorCode: 'CONNECTION_DROPPED' },
    ],
    [
      'a close before any greeting',
      err('Connection not available', { code: 'NoConnection' }),
      { stage: 'connect' },
      { stage: 'greeting', errorCode: 'CONNECTION_DROPPED' },
    ],
    [
      'STARTTLS not offered',
      err('Server does not support STARTTLS', { tlsFailed: true }),
      { stage: 'authenticate', greeting: '* OK' },
      { stage: 'tls', errorCode: 'STARTTLS_UNAVAILABLE', command: 'STARTTLS' },
    ],
    [
      'a certificate refused during STARTTLS',
      err('unable to verify the first certificate', {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        tlsFailed: true,
      }),
      { stage: 'authenticate', greeting: '* OK' },
      { stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    ],
    [
      'implicit TLS on a plain port',
      err('wrong version number', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
      { stage: 'connect' },
      { stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    ],
    [
      'a missing host',
      err('getaddrinfo ENOTFOUND x', { code: 'ENOTFOUND' }),
      { stage: 'connect' },
      { stage: 'resolve', errorCode: 'ENOTFOUND' },
    ],
    [
      'a refused connection',
      err('connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
      { stage: 'connect' },
      { stage: 'connect', errorCode: 'ECONNREFUSED' },
    ],
    [
      'a reset',
      err('read ECONNRESET', { code: 'ECONNRESET' }),
      { stage: 'read', greeting: '* OK' },
      { stage: 'read', errorCode: 'ECONNRESET' },
    ],
    [
      'a refused SELECT',
      err('Command failed', {
        responseStatus: 'NO',
        responseText: 'Mailbox is locked',
        serverResponseCode: 'INUSE',
        executedCommand: '4 SELECT INBOX',
      }),
      { stage: 'open', greeting: '* OK' },
      { stage: 'open', serverCode: 'INUSE', serverText: 'Mailbox is locked', command: 'SELECT' },
    ],
    [
      'a refused UID FETCH',
      err('Command failed', {
        responseStatus: 'NO',
        responseText: 'x',
        executedCommand: '5 UID FETCH 1:* (UID)',
      }),
      { stage: 'read', greeting: '* OK' },
      { stage: 'read', command: 'UID FETCH' },
    ],
    [
      'an unparsable response',
      err('Invalid server response', { code: 'InvalidResponse' }),
      { stage: 'read', greeting: '* OK' },
      { stage: 'read', errorCode: 'PROTOCOL_ERROR' },
    ],
  ])('%s', (_name, error, progress, expected) => {
    const failure = imapFailure(error, progress as Parameters<typeof imapFailure>[1], ENDPOINT);
    expect(failure).toBeInstanceOf(ConnectorFailure);
    expect(failure.details).toMatchObject({ protocol: 'imap', host: '127.0.0.1', port: 143, ...expected });
  });

  it('passes a ConnectorFailure through', () => {
    const original = new ConnectorFailure('x', { protocol: 'imap', stage: 'greeting' });
    expect(imapFailure(original, { stage: 'connect' }, ENDPOINT)).toBe(original);
  });

  it('recognises IMAP greetings', () => {
    expect(looksLikeImapGreeting('* OK [CAPABILITY IMAP4rev1] ready')).toBe(true);
    expect(looksLikeImapGreeting('* PREAUTH welcome')).toBe(true);
    expect(looksLikeImapGreeting('* BYE busy')).toBe(true);
    expect(looksLikeImapGreeting('220 mx ESMTP')).toBe(false);
    expect(looksLikeImapGreeting('+OK POP3')).toBe(false);
  });
});

describe('smtpFailure', () => {
  it.each<[string, unknown, Record<string, unknown>]>([
    [
      'a refused AUTH',
      err('Invalid login: 535 5.7.8 Authentication failed.', {
        code: 'EAUTH',
        command: 'AUTH PLAIN',
        responseCode: 535,
        response: '535 5.7.8 Authentication failed.',
      }),
      {
        stage: 'authenticate',
        command: 'AUTH',
        responseCode: 535,
        serverText: '535 5.7.8 Authentication failed.',
      },
    ],
    [
      'a refused connection',
      err('connect ECONNREFUSED 127.0.0.1:1', {
        code: 'ESOCKET',
        command: 'CONN',
        errno: -111,
        syscall: 'connect',
      }),
      { stage: 'connect', errorCode: 'ECONNREFUSED' },
    ],
    [
      'an untrusted certificate',
      err('unable to verify the first certificate', { code: 'ESOCKET', command: 'CONN' }),
      { stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    ],
    [
      'a TLS mode mismatch',
      err('wrong version number', {
        code: 'ESOCKET',
        command: 'CONN',
        library: 'SSL routines',
        reason: 'wrong version number',
      }),
      { stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    ],
    [
      'a missing host',
      err('getaddrinfo ENOTFOUND nope.invalid', {
        code: 'EDNS',
        command: 'CONN',
        errno: -3008,
        syscall: 'getaddrinfo',
      }),
      { stage: 'resolve', errorCode: 'ENOTFOUND' },
    ],
    [
      'a connection timeout',
      err('Connection timeout', { code: 'ETIMEDOUT', command: 'CONN' }),
      { stage: 'connect', errorCode: 'ETIMEDOUT' },
    ],
    [
      'no greeting',
      err('Greeting never received', { code: 'ETIMEDOUT', command: 'CONN' }),
      { stage: 'greeting', errorCode: 'ETIMEDOUT' },
    ],
    [
      'a timeout after DATA',
      err('Timeout', { code: 'ETIMEDOUT', command: 'DATA' }),
      { stage: 'send', errorCode: 'ETIMEDOUT', command: 'DATA' },
    ],
    [
      'an IMAP greeting',
      err('Invalid greeting', { code: 'EPROTOCOL', command: 'CONN', response: '* OK IMAP4rev1 ready' }),
      {
        stage: 'greeting',
        errorCode: 'UNEXPECTED_GREETING',
        serverText: '* OK IMAP4rev1 ready',
        command: undefined,
      },
    ],
    [
      'a 421 greeting',
      err('Invalid greeting', { code: 'EPROTOCOL', command: 'CONN', response: '421 4.3.2 busy' }),
      { stage: 'greeting', responseCode: 421, errorCode: undefined },
    ],
    [
      'EHLO refused',
      err('x', { code: 'EPROTOCOL', command: 'HELO', response: '500 what' }),
      { stage: 'greeting', responseCode: 500, command: 'HELO' },
    ],
    [
      'STARTTLS refused',
      err('Error upgrading connection with STARTTLS', {
        code: 'ETLS',
        command: 'STARTTLS',
        responseCode: 503,
        response: '503 5.5.1 Invalid command',
      }),
      { stage: 'tls', errorCode: 'STARTTLS_UNAVAILABLE', responseCode: 503, command: 'STARTTLS' },
    ],
    [
      'all recipients refused',
      err("Can't send mail - all recipients were rejected", {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        responseCode: 550,
        response: '550 5.1.1 unknown',
        rejected: ['a@b.test'],
        rejectedErrors: [{ recipient: 'a@b.test' }],
      }),
      { stage: 'send', responseCode: 550, command: 'RCPT TO', recipient: 'a@b.test' },
    ],
    [
      'refused recipients as addresses',
      err('x', {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        responseCode: 550,
        rejected: [{ address: 'c@d.test', name: '' }],
      }),
      { stage: 'send', recipient: 'c@d.test' },
    ],
    [
      'the message refused',
      err('x', { code: 'EMESSAGE', command: 'DATA', responseCode: 552, response: '552 too big' }),
      { stage: 'send', responseCode: 552, command: 'DATA' },
    ],
    [
      'a connection closed after the greeting',
      err('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN' }),
      { stage: 'greeting', errorCode: 'CONNECTION_DROPPED' },
    ],
    [
      'a reset while sending',
      err('read ECONNRESET', { code: 'ESOCKET', command: 'DATA', errno: -104, syscall: 'read' }),
      { stage: 'send', errorCode: 'ECONNRESET', command: 'DATA' },
    ],
  ])('%s', (_name, error, expected) => {
    expect(smtpFailure(error, ENDPOINT).details).toMatchObject({
      protocol: 'smtp',
      host: '127.0.0.1',
      ...expected,
    });
  });
});

describe('pop3Failure', () => {
  it.each<[string, Pop3Error, string, Record<string, unknown>]>([
    [
      'a refused connection',
      new Pop3Error('x', { kind: 'network', phase: 'connect', code: 'ECONNREFUSED' }),
      'connect',
      { stage: 'connect', errorCode: 'ECONNREFUSED' },
    ],
    [
      'a missing host',
      new Pop3Error('x', { kind: 'network', phase: 'connect', code: 'ENOTFOUND' }),
      'connect',
      { stage: 'resolve' },
    ],
    [
      'a certificate at connect',
      new Pop3Error('x', { kind: 'network', phase: 'connect', code: 'CERT_HAS_EXPIRED' }),
      'connect',
      { stage: 'tls' },
    ],
    [
      'anything during STLS',
      new Pop3Error('x', { kind: 'timeout', phase: 'tls', code: 'ETIMEDOUT' }),
      'connect',
      { stage: 'tls', errorCode: 'ETIMEDOUT' },
    ],
    [
      'the greeting',
      new Pop3Error('x', {
        kind: 'protocol',
        phase: 'greeting',
        code: 'UNEXPECTED_GREETING',
        serverText: '220 x',
      }),
      'connect',
      { stage: 'greeting', serverText: '220 x' },
    ],
    [
      'a command',
      new Pop3Error('x', {
        kind: 'negative',
        phase: 'command',
        command: 'PASS',
        responseCode: 'AUTH',
        serverText: 'no',
      }),
      'authenticate',
      { stage: 'authenticate', command: 'PASS', serverCode: 'AUTH', serverText: 'no' },
    ],
  ])('%s', (_name, error, step, expected) => {
    expect(pop3Failure(error, step as 'connect', ENDPOINT).details).toMatchObject({
      protocol: 'pop3',
      ...expected,
    });
  });

  it('keeps unknown errors at the step, with any Node code', () => {
    expect(pop3Failure(err('read EPIPE', { code: 'EPIPE' }), 'read', ENDPOINT).details).toMatchObject({
      stage: 'read',
      errorCode: 'EPIPE',
    });
  });
});
