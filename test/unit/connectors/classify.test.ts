import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATION_TABLE,
  FAILURE_KINDS,
  classifyFailure,
  failureKind,
  type ClassifyContext,
  type FailureKind,
} from '../../../src/connectors/classify.js';
import type { ConnectorFailureDetails } from '../../../src/connectors/types.js';
import { ALERT_CATALOGUE } from '../../../src/diagnostics/alert-catalogue.js';
import { getEntry, renderAlertParts } from '../../../src/diagnostics/render.js';

const IMAP = { protocol: 'imap', host: '127.0.0.1', port: 1143 } as const;
const POP3 = { protocol: 'pop3', host: '127.0.0.1', port: 1110 } as const;
const SMTP = { protocol: 'smtp', host: 'smtp.example.test', port: 587 } as const;
const DAV = {
  protocol: 'caldav',
  host: 'dav.example.test',
  port: 443,
  url: 'https://dav.example.test/cal/',
} as const;
const CARDDAV = { ...DAV, protocol: 'carddav', url: 'https://dav.example.test/book/' } as const;

interface Row {
  readonly name: string;
  readonly failure: ConnectorFailureDetails;
  readonly context?: Partial<ClassifyContext>;
  readonly kind: FailureKind;
  readonly entryId: string;
  readonly reason?: string | RegExp;
}

const incoming = (rows: Row[]): Row[] =>
  rows.map((row) => ({ ...row, context: { channel: 'incoming', ...row.context } }));
const outgoing = (rows: Row[]): Row[] =>
  rows.map((row) => ({ ...row, context: { channel: 'outgoing', ...row.context } }));
const act = (rows: Row[]): Row[] =>
  rows.map((row) => ({ ...row, context: { channel: 'act', ...row.context } }));

const ROWS: Row[] = [
  ...incoming([
    {
      name: 'connection refused',
      failure: { ...IMAP, stage: 'connect', errorCode: 'ECONNREFUSED' },
      kind: 'connect-failed',
      entryId: 'A15-in',
      reason: 'connection refused by 127.0.0.1:1143',
    },
    {
      name: 'host unreachable',
      failure: { ...IMAP, stage: 'connect', errorCode: 'EHOSTUNREACH' },
      kind: 'connect-failed',
      entryId: 'A15-in',
      reason: 'the host 127.0.0.1 is unreachable',
    },
    {
      name: 'no route',
      failure: { ...POP3, stage: 'connect', errorCode: 'ENETUNREACH' },
      kind: 'connect-failed',
      entryId: 'A15-in',
      reason: 'there is no network route to 127.0.0.1',
    },
    {
      name: 'temporary DNS failure',
      failure: { ...IMAP, host: 'mail.example.test', stage: 'resolve', errorCode: 'EAI_AGAIN' },
      kind: 'connect-failed',
      entryId: 'A15-in',
      reason: 'the name server did not answer for mail.example.test (a temporary DNS failure)',
    },
    {
      name: 'other connect failure',
      failure: { ...IMAP, stage: 'connect', errorCode: 'EADDRNOTAVAIL' },
      kind: 'connect-failed',
      entryId: 'A15-in',
      reason: 'cannot connect to 127.0.0.1:1143 (EADDRNOTAVAIL)',
    },
    {
      name: 'host not found',
      failure: { ...IMAP, host: 'nope.example.test', stage: 'resolve', errorCode: 'ENOTFOUND' },
      kind: 'host-not-found',
      entryId: 'A17',
      reason: 'the host name nope.example.test does not exist in DNS',
    },
    {
      name: 'connect timeout',
      failure: { ...IMAP, stage: 'connect', errorCode: 'ETIMEDOUT' },
      kind: 'timeout',
      entryId: 'A16',
      reason: 'no connection to 127.0.0.1:1143 within the timeout',
    },
    {
      name: 'greeting timeout (a library code)',
      failure: { ...IMAP, stage: 'greeting', errorCode: 'GREETING_TIMEOUT' },
      kind: 'timeout',
      entryId: 'A16',
      reason: '127.0.0.1:1143 accepted the connection but sent no IMAP greeting within the timeout',
    },
    {
      name: 'TLS handshake timeout',
      failure: { ...POP3, stage: 'tls', errorCode: 'ETIMEDOUT' },
      kind: 'timeout',
      entryId: 'A16',
      reason: 'the TLS handshake with 127.0.0.1:1110 timed out',
    },
    {
      name: 'DNS timeout',
      failure: { ...POP3, host: 'slow.example.test', stage: 'resolve', errorCode: 'ETIMEDOUT' },
      kind: 'timeout',
      entryId: 'A16',
      reason: 'the name lookup for slow.example.test timed out',
    },
    {
      name: 'timeout while reading',
      failure: { ...IMAP, stage: 'read', errorCode: 'ETIMEDOUT', command: 'FETCH' },
      kind: 'timeout',
      entryId: 'A16',
      reason: '127.0.0.1:1143 stopped answering during reading (FETCH)',
    },
    {
      name: 'self-signed certificate',
      failure: { ...IMAP, stage: 'tls', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-in',
      reason: 'the certificate of 127.0.0.1:1143 is self-signed and not trusted',
    },
    {
      name: 'self-signed authority in chain',
      failure: { ...IMAP, stage: 'tls', errorCode: 'SELF_SIGNED_CERT_IN_CHAIN' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-in',
      reason: 'the certificate of 127.0.0.1:1143 chains to a self-signed authority that is not trusted',
    },
    {
      name: 'unknown authority',
      failure: { ...POP3, stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-in',
      reason: 'the certificate of 127.0.0.1:1110 was issued by an authority that is not trusted',
    },
    {
      name: 'expired certificate',
      failure: { ...IMAP, stage: 'tls', errorCode: 'CERT_HAS_EXPIRED' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-in',
      reason: 'the certificate of 127.0.0.1:1143 has expired',
    },
    {
      name: 'certificate for another name',
      failure: { ...IMAP, stage: 'tls', errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-in',
      reason: 'the certificate of 127.0.0.1:1143 was issued for another host name',
    },
    {
      name: 'another certificate problem',
      failure: { ...IMAP, stage: 'tls', errorCode: 'INVALID_PURPOSE' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-in',
      reason: 'the certificate of 127.0.0.1:1143 could not be verified (INVALID_PURPOSE)',
    },
    {
      name: 'implicit TLS on a plain port',
      failure: { ...IMAP, stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
      kind: 'tls-failed',
      entryId: 'A33',
      reason: /did not answer the TLS handshake in TLS/,
    },
    {
      name: 'STARTTLS not offered',
      failure: { ...IMAP, stage: 'tls', errorCode: 'STARTTLS_UNAVAILABLE' },
      kind: 'tls-failed',
      entryId: 'A33',
      reason: '127.0.0.1:1143 does not offer STARTTLS',
    },
    {
      name: 'STLS refused',
      failure: { ...POP3, stage: 'tls', errorCode: 'STARTTLS_UNAVAILABLE', serverText: 'TLS not configured' },
      kind: 'tls-failed',
      entryId: 'A33',
      reason: '127.0.0.1:1110 refused STARTTLS: "TLS not configured"',
    },
    {
      name: 'no common protocol version',
      failure: { ...IMAP, stage: 'tls', errorCode: 'ERR_SSL_UNSUPPORTED_PROTOCOL' },
      kind: 'tls-failed',
      entryId: 'A33',
      reason: 'the TLS handshake with 127.0.0.1:1143 failed (ERR_SSL_UNSUPPORTED_PROTOCOL)',
    },
    {
      name: 'reset during the handshake',
      failure: { ...IMAP, stage: 'tls', errorCode: 'ECONNRESET' },
      kind: 'tls-failed',
      entryId: 'A33',
      reason: '127.0.0.1:1143 closed the connection during the TLS handshake',
    },
    {
      name: 'login only over TLS (PRIVACYREQUIRED)',
      failure: { ...IMAP, stage: 'authenticate', serverCode: 'PRIVACYREQUIRED', serverText: 'Use TLS' },
      kind: 'tls-failed',
      entryId: 'A33',
      reason: '127.0.0.1:1143 allows login only over TLS',
    },
    {
      name: 'LOGINDISABLED',
      failure: { ...IMAP, stage: 'authenticate', serverCode: 'LOGINDISABLED' },
      kind: 'tls-failed',
      entryId: 'A33',
    },
    {
      name: 'another protocol on the port',
      failure: { ...IMAP, stage: 'greeting', errorCode: 'UNEXPECTED_GREETING', serverText: '220 mx ESMTP' },
      kind: 'wrong-protocol',
      entryId: 'A17',
      reason: '127.0.0.1:1143 does not speak IMAP: it answered "220 mx ESMTP"',
    },
    {
      name: 'IMAP BYE greeting',
      failure: {
        ...IMAP,
        stage: 'greeting',
        errorCode: 'SERVICE_REFUSED',
        serverText: 'Too many connections',
      },
      kind: 'service-refused',
      entryId: 'C10',
      reason: '127.0.0.1:1143 refused service: "Too many connections"',
    },
    {
      name: 'IMAP [LIMIT]',
      failure: { ...IMAP, stage: 'authenticate', serverCode: 'LIMIT', serverText: 'Too many sessions' },
      kind: 'service-refused',
      entryId: 'C10',
    },
    {
      name: 'POP3 [LOGIN-DELAY]',
      failure: { ...POP3, stage: 'authenticate', serverCode: 'LOGIN-DELAY', command: 'PASS' },
      kind: 'service-refused',
      entryId: 'C10',
    },
    {
      name: 'wrong password, mailbox credentials',
      failure: {
        ...IMAP,
        stage: 'authenticate',
        serverCode: 'AUTHENTICATIONFAILED',
        serverText: 'Authentication failed.',
      },
      kind: 'credentials',
      entryId: 'A27-in',
      reason: '127.0.0.1:1143 rejected the user name or password from the mailbox: "Authentication failed."',
    },
    {
      name: 'wrong password, profile credentials',
      failure: { ...POP3, stage: 'authenticate', serverCode: 'AUTH', command: 'PASS' },
      context: { credentialSource: 'profile' },
      kind: 'credentials',
      entryId: 'A26-in',
      reason: '127.0.0.1:1110 rejected the user name or password from the email server profile',
    },
    {
      name: 'plain -ERR to PASS',
      failure: { ...POP3, stage: 'authenticate', command: 'PASS', serverText: 'invalid login' },
      kind: 'credentials',
      entryId: 'A27-in',
    },
    {
      name: 'expired password',
      failure: { ...IMAP, stage: 'authenticate', serverCode: 'EXPIRED' },
      kind: 'credentials',
      entryId: 'A27-in',
    },
    {
      name: 'dropped mid-session',
      failure: { ...POP3, stage: 'authenticate', errorCode: 'CONNECTION_DROPPED', command: 'USER' },
      kind: 'dropped',
      entryId: 'MR3-in',
      reason: '127.0.0.1:1110 closed the connection during login (USER)',
    },
    {
      name: 'reset mid-session',
      failure: { ...IMAP, stage: 'read', errorCode: 'ECONNRESET' },
      kind: 'dropped',
      entryId: 'MR3-in',
      reason: '127.0.0.1:1143 closed the connection during reading',
    },
    {
      name: 'IMAP [INUSE]',
      failure: { ...IMAP, stage: 'open', serverCode: 'INUSE', serverText: 'Mailbox in use' },
      kind: 'mailbox-in-use',
      entryId: 'C9',
      reason: 'the mailbox on 127.0.0.1:1143 is locked by another session: "Mailbox in use"',
    },
    {
      name: 'POP3 [IN-USE]',
      failure: { ...POP3, stage: 'authenticate', serverCode: 'IN-USE', command: 'PASS' },
      kind: 'mailbox-in-use',
      entryId: 'C9',
    },
    {
      name: 'IMAP [UNAVAILABLE]',
      failure: { ...IMAP, stage: 'authenticate', serverCode: 'UNAVAILABLE', serverText: 'Backend down' },
      kind: 'server-unavailable',
      entryId: 'C12',
      reason: '127.0.0.1:1143 reported a temporary failure of its own: "Backend down"',
    },
    {
      name: 'POP3 [SYS/TEMP]',
      failure: { ...POP3, stage: 'read', serverCode: 'SYS/TEMP', command: 'RETR' },
      kind: 'server-unavailable',
      entryId: 'C12',
    },
    {
      name: 'UIDL not supported',
      failure: { ...POP3, stage: 'read', command: 'UIDL', serverText: 'unknown command' },
      kind: 'uidl-unsupported',
      entryId: 'MR19',
      reason: '127.0.0.1:1110 does not support the POP3 UIDL command, which synchronization needs',
    },
    {
      name: 'SELECT refused',
      failure: { ...IMAP, stage: 'open', command: 'SELECT', serverText: 'Mailbox does not exist' },
      kind: 'command-failed',
      entryId: 'C4',
      reason: '127.0.0.1:1143 refused SELECT: "Mailbox does not exist"',
    },
    {
      name: 'RETR refused',
      failure: { ...POP3, stage: 'read', command: 'RETR', serverText: 'no such message' },
      kind: 'command-failed',
      entryId: 'C4',
    },
    {
      name: 'unexpected reply mid-session',
      failure: { ...IMAP, stage: 'read', errorCode: 'PROTOCOL_ERROR' },
      kind: 'unknown',
      entryId: 'C8',
      reason: 'IMAP failed during reading with 127.0.0.1:1143 (PROTOCOL_ERROR)',
    },
    {
      name: 'negative answer outside any known step',
      failure: { ...IMAP, stage: 'greeting', serverText: 'odd' },
      kind: 'unknown',
      entryId: 'C8',
    },
    {
      name: 'nothing known',
      failure: { protocol: 'imap', stage: 'connect' },
      kind: 'unknown',
      entryId: 'C8',
      reason: 'IMAP failed during connecting with the server',
    },
  ]),
  ...outgoing([
    {
      name: 'connection refused',
      failure: { ...SMTP, stage: 'connect', errorCode: 'ECONNREFUSED' },
      kind: 'connect-failed',
      entryId: 'A15',
      reason: 'connection refused by smtp.example.test:587',
    },
    {
      name: 'host not found (A15 covers it for sending)',
      failure: { ...SMTP, stage: 'resolve', errorCode: 'ENOTFOUND' },
      kind: 'host-not-found',
      entryId: 'A15',
    },
    {
      name: 'greeting timeout',
      failure: { ...SMTP, stage: 'greeting', errorCode: 'ETIMEDOUT' },
      kind: 'timeout',
      entryId: 'A16-out',
      reason: 'smtp.example.test:587 accepted the connection but sent no SMTP greeting within the timeout',
    },
    {
      name: 'untrusted certificate',
      failure: { ...SMTP, stage: 'tls', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-out',
    },
    {
      name: 'TLS mode mismatch',
      failure: { ...SMTP, stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
      kind: 'tls-failed',
      entryId: 'A19',
    },
    {
      name: 'STARTTLS refused with 503',
      failure: {
        ...SMTP,
        stage: 'tls',
        errorCode: 'STARTTLS_UNAVAILABLE',
        responseCode: 503,
        command: 'STARTTLS',
      },
      kind: 'tls-failed',
      entryId: 'A19',
    },
    {
      name: 'STARTTLS unrecognised (500)',
      failure: {
        ...SMTP,
        stage: 'tls',
        responseCode: 500,
        serverText: '500 5.5.2 Syntax error, command unrecognized',
        command: 'STARTTLS',
      },
      kind: 'wrong-protocol',
      entryId: 'A18',
      reason:
        'smtp.example.test:587 did not accept the SMTP command STARTTLS: "500 5.5.2 Syntax error, command unrecognized"',
    },
    {
      name: 'STARTTLS temporarily unavailable (454)',
      failure: {
        ...SMTP,
        stage: 'tls',
        responseCode: 454,
        serverText: '454 TLS not available',
        command: 'STARTTLS',
      },
      kind: 'temporary-reply',
      entryId: 'F4',
      reason: 'smtp.example.test:587 asked to try again later: "454 TLS not available"',
    },
    {
      name: 'AUTH needs TLS (538)',
      failure: { ...SMTP, stage: 'authenticate', responseCode: 538, command: 'AUTH' },
      kind: 'tls-failed',
      entryId: 'A19',
      reason: 'smtp.example.test:587 allows login only over TLS',
    },
    {
      name: 'AUTH needs STARTTLS (530 with text)',
      failure: {
        ...SMTP,
        stage: 'authenticate',
        responseCode: 530,
        serverText: '530 5.7.0 Must issue a STARTTLS command first',
      },
      kind: 'tls-failed',
      entryId: 'A19',
    },
    {
      name: 'another protocol on the port',
      failure: {
        ...SMTP,
        stage: 'greeting',
        errorCode: 'UNEXPECTED_GREETING',
        serverText: '* OK IMAP ready',
      },
      kind: 'wrong-protocol',
      entryId: 'A18',
      reason: 'smtp.example.test:587 does not speak SMTP: it answered "* OK IMAP ready"',
    },
    {
      name: 'EHLO unrecognised',
      failure: {
        ...SMTP,
        stage: 'greeting',
        responseCode: 500,
        command: 'EHLO',
        serverText: '500 unrecognized',
      },
      kind: 'wrong-protocol',
      entryId: 'A18',
    },
    {
      name: 'garbage during EHLO',
      failure: { ...SMTP, stage: 'greeting', errorCode: 'PROTOCOL_ERROR', command: 'EHLO' },
      kind: 'wrong-protocol',
      entryId: 'A18',
    },
    {
      name: '554 greeting',
      failure: { ...SMTP, stage: 'greeting', responseCode: 554, serverText: '554 No SMTP service here' },
      kind: 'service-refused',
      entryId: 'A18',
      reason: 'smtp.example.test:587 refused service: "554 No SMTP service here"',
    },
    {
      name: '421 greeting',
      failure: { ...SMTP, stage: 'greeting', responseCode: 421, serverText: '421 Too busy' },
      kind: 'temporary-reply',
      entryId: 'F4',
    },
    {
      name: 'no AUTH offered (503)',
      failure: { ...SMTP, stage: 'authenticate', responseCode: 503, command: 'AUTH' },
      kind: 'wrong-protocol',
      entryId: 'A18',
    },
    {
      name: '535, mailbox credentials',
      failure: {
        ...SMTP,
        stage: 'authenticate',
        responseCode: 535,
        serverText: '535 5.7.8 Authentication failed.',
        command: 'AUTH',
      },
      kind: 'credentials',
      entryId: 'A27-out',
      reason:
        'smtp.example.test:587 rejected the user name or password from the mailbox: "535 5.7.8 Authentication failed."',
    },
    {
      name: '535, profile credentials',
      failure: { ...SMTP, stage: 'authenticate', responseCode: 535 },
      context: { credentialSource: 'profile' },
      kind: 'credentials',
      entryId: 'A26-out',
    },
    {
      name: '534 (application password required)',
      failure: { ...SMTP, stage: 'authenticate', responseCode: 534 },
      kind: 'credentials',
      entryId: 'A27-out',
    },
    {
      name: 'AUTH without any reply (no credentials to offer)',
      failure: { ...SMTP, stage: 'authenticate', command: 'AUTH' },
      kind: 'credentials',
      entryId: 'A27-out',
    },
    {
      name: '454 temporary authentication failure',
      failure: { ...SMTP, stage: 'authenticate', responseCode: 454 },
      kind: 'temporary-reply',
      entryId: 'F4',
    },
    {
      name: 'sending limit (451) while sending',
      failure: {
        ...SMTP,
        stage: 'send',
        responseCode: 451,
        serverText: '451 4.7.1 Rate limit exceeded',
        command: 'MAIL FROM',
      },
      kind: 'temporary-reply',
      entryId: 'F4',
    },
    {
      name: '530 authentication required while sending',
      failure: { ...SMTP, stage: 'send', responseCode: 530, command: 'MAIL FROM' },
      kind: 'credentials',
      entryId: 'A27-out',
    },
    {
      name: 'relaying denied',
      failure: {
        ...SMTP,
        stage: 'send',
        responseCode: 554,
        serverText: '554 5.7.1 Relay access denied',
        command: 'RCPT TO',
        recipient: 'a@b.test',
      },
      context: { credentialSource: 'profile' },
      kind: 'relay-denied',
      entryId: 'A26-out',
      reason:
        'smtp.example.test:587 does not let this account send to a@b.test: "554 5.7.1 Relay access denied"',
    },
    {
      name: 'message too large during sync',
      failure: {
        ...SMTP,
        stage: 'send',
        responseCode: 552,
        command: 'DATA',
        serverText: '552 5.3.4 Message too big',
      },
      context: { during: 'sync' },
      kind: 'message-too-large',
      entryId: 'MR4-out',
      reason: 'smtp.example.test:587 refused the message as too large: "552 5.3.4 Message too big"',
    },
    {
      name: 'message too large during Test & Enable',
      failure: { ...SMTP, stage: 'send', responseCode: 552, command: 'DATA' },
      kind: 'message-too-large',
      entryId: 'A18',
    },
    {
      name: 'recipient refused during sync',
      failure: {
        ...SMTP,
        stage: 'send',
        responseCode: 550,
        command: 'RCPT TO',
        recipient: 'nobody@example.test',
        serverText: '550 5.1.1 User unknown',
      },
      context: { during: 'sync' },
      kind: 'message-rejected',
      entryId: 'MR8',
      reason: 'smtp.example.test:587 rejected the message for nobody@example.test: "550 5.1.1 User unknown"',
    },
    {
      name: 'test message refused during Test & Enable',
      failure: {
        ...SMTP,
        stage: 'send',
        responseCode: 550,
        command: 'RCPT TO',
        recipient: 'me@example.test',
      },
      kind: 'message-rejected',
      entryId: 'A18',
    },
    {
      name: 'dropped before the message was accepted',
      failure: { ...SMTP, stage: 'send', errorCode: 'ECONNRESET', command: 'DATA' },
      kind: 'dropped',
      entryId: 'F5',
      reason: 'smtp.example.test:587 closed the connection during sending (DATA)',
    },
    {
      name: 'dropped after the greeting',
      failure: { ...SMTP, stage: 'greeting', errorCode: 'CONNECTION_DROPPED' },
      kind: 'dropped',
      entryId: 'F5',
    },
    {
      name: 'a 3xx where none belongs',
      failure: { ...SMTP, stage: 'send', responseCode: 354 },
      kind: 'unknown',
      entryId: 'F3',
    },
    {
      name: 'a 5xx in an unexpected stage',
      failure: { ...SMTP, stage: 'connect', responseCode: 550 },
      kind: 'unknown',
      entryId: 'F3',
    },
    {
      name: 'nothing known',
      failure: { ...SMTP, stage: 'send' },
      kind: 'unknown',
      entryId: 'F3',
    },
  ]),
  ...act([
    {
      name: 'connection refused',
      failure: { ...DAV, stage: 'connect', errorCode: 'ECONNREFUSED' },
      kind: 'connect-failed',
      entryId: 'A15-act',
      reason: 'connection refused by dav.example.test',
    },
    {
      name: 'host not found',
      failure: { ...DAV, stage: 'resolve', errorCode: 'ENOTFOUND' },
      kind: 'host-not-found',
      entryId: 'A15-act',
    },
    {
      name: 'not an http(s) URL',
      failure: { protocol: 'caldav', stage: 'resolve', errorCode: 'ERR_INVALID_URL' },
      kind: 'host-not-found',
      entryId: 'A15-act',
      reason: 'the server URL is not a valid http or https URL',
    },
    {
      name: 'timeout',
      failure: { ...DAV, stage: 'read', errorCode: 'ETIMEDOUT', command: 'PROPFIND' },
      kind: 'timeout',
      entryId: 'A16-act',
    },
    {
      name: 'untrusted certificate',
      failure: { ...DAV, stage: 'tls', errorCode: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
      kind: 'untrusted-certificate',
      entryId: 'MR1-act',
    },
    {
      name: 'https on a plain port',
      failure: { ...DAV, stage: 'tls', errorCode: 'EPROTO' },
      kind: 'tls-failed',
      entryId: 'MR2',
    },
    {
      name: 'not HTTP on the port',
      failure: { ...DAV, stage: 'greeting', errorCode: 'HPE_INVALID_CONSTANT' },
      kind: 'wrong-protocol',
      entryId: 'A15-act',
      reason: 'dav.example.test does not speak CalDAV',
    },
    {
      name: '401',
      failure: { ...DAV, stage: 'authenticate', responseCode: 401, serverText: 'Unauthorized' },
      kind: 'credentials',
      entryId: 'A12-act',
    },
    {
      name: '401 with profile credentials (one ACT text for both)',
      failure: { ...CARDDAV, stage: 'authenticate', responseCode: 401 },
      context: { credentialSource: 'profile' },
      kind: 'credentials',
      entryId: 'A12-act',
    },
    {
      name: '403 on a read',
      failure: { ...DAV, stage: 'read', responseCode: 403, command: 'PROPFIND' },
      kind: 'forbidden-read',
      entryId: 'A12-act',
      reason: 'https://dav.example.test/cal/ refused to let this account read it (403 Forbidden)',
    },
    {
      name: '403 on a write',
      failure: { ...DAV, stage: 'write', responseCode: 403, serverText: 'Forbidden', command: 'PUT' },
      kind: 'forbidden-write',
      entryId: 'MR20',
      reason: 'https://dav.example.test/cal/ refused a change by this account (403 Forbidden)',
    },
    {
      name: 'MKCALENDAR not allowed',
      failure: { ...DAV, stage: 'write', responseCode: 405, command: 'MKCALENDAR' },
      kind: 'forbidden-write',
      entryId: 'MR20',
      reason: 'https://dav.example.test/cal/ refused a change by this account (405)',
    },
    {
      name: '404 during discovery',
      failure: {
        ...DAV,
        stage: 'open',
        responseCode: 404,
        command: 'PROPFIND',
        serverText: 'no current-user-principal at /.well-known/caldav',
      },
      kind: 'not-found',
      entryId: 'A29-act',
      reason: 'no current-user-principal at /.well-known/caldav on dav.example.test',
    },
    {
      name: '404 on a collection',
      failure: { ...CARDDAV, stage: 'read', responseCode: 404, command: 'GET', serverText: 'Not Found' },
      kind: 'not-found',
      entryId: 'A29-act',
      reason: 'https://dav.example.test/book/ was not found (404 Not Found)',
    },
    {
      name: '412 conflict',
      failure: { ...DAV, stage: 'write', responseCode: 412, command: 'PUT' },
      kind: 'conflict',
      entryId: 'E5',
      reason: 'https://dav.example.test/cal/ was changed on the server meanwhile (412 Precondition Failed)',
    },
    {
      name: '500 writing an item during sync',
      failure: {
        ...DAV,
        stage: 'write',
        responseCode: 500,
        command: 'PUT',
        serverText: 'Internal Server Error',
      },
      context: { during: 'sync' },
      kind: 'http-error',
      entryId: 'E6',
      reason: 'https://dav.example.test/cal/ answered 500 Internal Server Error to PUT',
    },
    {
      name: '500 writing the test item during Test & Enable',
      failure: { ...DAV, stage: 'write', responseCode: 500, command: 'PUT' },
      kind: 'http-error',
      entryId: 'A15-act',
    },
    {
      name: '503 during discovery',
      failure: { ...DAV, stage: 'open', responseCode: 503, command: 'PROPFIND' },
      context: { during: 'sync' },
      kind: 'http-error',
      entryId: 'A15-act',
    },
    {
      name: 'dropped',
      failure: { ...DAV, stage: 'read', errorCode: 'ECONNRESET' },
      kind: 'dropped',
      entryId: 'MR3-act',
    },
    {
      name: 'a redirect status left over',
      failure: { ...DAV, stage: 'open', responseCode: 302 },
      kind: 'unknown',
      entryId: 'A15-act',
    },
    {
      name: 'no status, no code',
      failure: { ...DAV, stage: 'read' },
      kind: 'unknown',
      entryId: 'A15-act',
    },
  ]),
];

describe('classifyFailure', () => {
  it.each(ROWS.map((row) => [`${row.context?.channel}: ${row.name}`, row] as const))('%s', (_name, row) => {
    const context: ClassifyContext = {
      channel: 'incoming',
      credentialSource: 'mailbox',
      during: 'test',
      ...row.context,
    };
    const result = classifyFailure(row.failure, context);
    const entry = getEntry(row.entryId);
    expect(result.kind).toBe(row.kind);
    expect(result.entryId).toBe(row.entryId);
    expect(result.code).toBe(entry.code);
    expect(result.level).toBe(entry.level);
    expect(result.failure).toBe(entry.failure);
    if (typeof row.reason === 'string') expect(result.reason).toBe(row.reason);
    else if (row.reason !== undefined) expect(result.reason).toMatch(row.reason);
    // One sentence of our words: no line breaks, no final period.
    expect(result.reason).not.toMatch(/[\r\n]|\.$/);
  });

  it('has a row above for every failure kind', () => {
    const covered = new Set(ROWS.map((row) => row.kind));
    expect(FAILURE_KINDS.filter((kind) => !covered.has(kind))).toEqual([]);
  });

  it('chooses only catalogue entries of the right channel that are transient or permanent', () => {
    const ids = new Set(ALERT_CATALOGUE.map((entry) => entry.id));
    for (const kind of FAILURE_KINDS) {
      for (const channel of ['incoming', 'outgoing', 'act'] as const) {
        const choice = CLASSIFICATION_TABLE[kind][channel];
        const candidates =
          typeof choice === 'string'
            ? [choice]
            : (['profile', 'mailbox'] as const).flatMap((credentialSource) =>
                (['test', 'sync'] as const).flatMap((during) =>
                  (['write', 'read'] as const).map((stage) =>
                    choice({ channel, credentialSource, during }, { protocol: 'caldav', stage }),
                  ),
                ),
              );
        for (const id of candidates) {
          expect(ids.has(id), `${kind}/${channel} → ${id}`).toBe(true);
          const entry = getEntry(id);
          expect(entry.failure, id).not.toBe('none');
          expect(entry.legacy ?? false, id).toBe(false);
          const itemOf = entry.channel === 'item' ? entry.itemWorkload : entry.channel;
          expect(itemOf, `${kind}/${channel} → ${id}`).toBe(channel);
        }
      }
    }
  });

  it('fills the placeholders the failure knows, so the alert renders', () => {
    const result = classifyFailure(
      { ...IMAP, stage: 'tls', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      { channel: 'incoming', credentialSource: 'mailbox', during: 'sync' },
    );
    expect(result.values).toMatchObject({
      serverHost: '127.0.0.1',
      tlsReason: 'the certificate is self-signed and not trusted',
      reason: result.reason,
    });
    const rendered = renderAlertParts(getEntry(result.entryId), {
      ...result.values,
      mailboxName: 'Support',
      profileName: 'Dovecot',
    });
    expect(rendered.message).toContain(
      'the certificate of the email server 127.0.0.1 could not be validated: the certificate is self-signed and not trusted.',
    );
  });

  it('gives SMTP replies with their code, and the refused recipient', () => {
    const result = classifyFailure(
      { ...SMTP, stage: 'send', responseCode: 550, serverText: 'User unknown', recipient: 'x@example.test' },
      { channel: 'outgoing', credentialSource: 'mailbox', during: 'sync' },
    );
    expect(result.values).toMatchObject({ smtpReply: '550 User unknown', recipients: 'x@example.test' });
    const rendered = renderAlertParts(getEntry(result.entryId), {
      ...result.values,
      emailSubject: 'Hi',
      mailboxName: 'Ann',
    });
    expect(rendered.message).toContain('rejected it: 550 User unknown.');
  });

  it('names the collection of a refused write', () => {
    const result = classifyFailure(
      { ...DAV, stage: 'write', responseCode: 403 },
      { channel: 'act', credentialSource: 'mailbox', during: 'test' },
    );
    expect(result.values).toMatchObject({ collectionName: DAV.url, serverHost: 'dav.example.test' });
  });

  it('derives the kind from the details alone', () => {
    expect(failureKind({ protocol: 'imap', stage: 'connect', errorCode: 'ECONNREFUSED' })).toBe(
      'connect-failed',
    );
    expect(failureKind({ protocol: 'pop3', stage: 'read', errorCode: 'EPIPE' })).toBe('dropped');
  });
});
