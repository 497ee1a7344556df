/**
 * Step one of classification: what went wrong, in protocol-neutral words,
 * from the failure details alone. Step two (classify.ts) picks the catalogue
 * entry for the kind and the channel.
 */
import {
  CONNECT_FAILURE_CODES,
  DROPPED_CODES,
  HOST_NOT_FOUND_CODES,
  MAILROOM_CODES,
  TIMEOUT_CODES,
  UNTRUSTED_CERTIFICATE_CODES,
  isHttpParseCode,
  isTlsFailureCode,
} from '../failure-codes.js';
import type { ConnectorFailureDetails } from '../types.js';

export const FAILURE_KINDS = [
  'host-not-found',
  'connect-failed',
  'timeout',
  'untrusted-certificate',
  'tls-failed',
  'wrong-protocol',
  'service-refused',
  'credentials',
  'relay-denied',
  'dropped',
  'mailbox-in-use',
  'server-unavailable',
  'uidl-unsupported',
  'temporary-reply',
  'message-too-large',
  'message-rejected',
  'forbidden-read',
  'forbidden-write',
  'not-found',
  'conflict',
  'http-error',
  'command-failed',
  'unknown',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export function failureKind(failure: ConnectorFailureDetails): FailureKind {
  const code = failure.errorCode;
  if (code !== undefined) {
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (UNTRUSTED_CERTIFICATE_CODES.has(code)) return 'untrusted-certificate';
    if (HOST_NOT_FOUND_CODES.has(code)) return 'host-not-found';
    if (CONNECT_FAILURE_CODES.has(code)) return 'connect-failed';
    if (isTlsFailureCode(code)) return 'tls-failed';
    if (code === MAILROOM_CODES.unexpectedGreeting || isHttpParseCode(code)) return 'wrong-protocol';
    if (code === MAILROOM_CODES.serviceRefused) return 'service-refused';
  }
  if (failure.stage === 'tls') return tlsStageKind(failure);
  if (code !== undefined && DROPPED_CODES.has(code)) return 'dropped';
  switch (failure.protocol) {
    case 'smtp':
      return smtpKind(failure);
    case 'caldav':
    case 'carddav':
      return httpKind(failure);
    case 'imap':
    case 'pop3':
      return mailKind(failure);
  }
}

/** During the handshake or STARTTLS: whatever happened, the connection could not be secured. */
function tlsStageKind(failure: ConnectorFailureDetails): FailureKind {
  const reply = failure.responseCode;
  if (failure.protocol === 'smtp' && reply === 500) return 'wrong-protocol'; // "command unrecognized"
  if (failure.protocol === 'smtp' && reply !== undefined && reply >= 400 && reply < 500)
    return 'temporary-reply';
  return 'tls-failed';
}

function smtpKind(failure: ConnectorFailureDetails): FailureKind {
  const reply = failure.responseCode;
  const text = failure.serverText ?? '';
  if (failure.errorCode === MAILROOM_CODES.protocolError && failure.stage === 'greeting')
    return 'wrong-protocol';
  if (reply === undefined) {
    // EAUTH without a reply: nodemailer had no credentials to offer.
    return failure.stage === 'authenticate' && failure.errorCode === undefined ? 'credentials' : 'unknown';
  }
  if (reply >= 400 && reply < 500) return 'temporary-reply';
  if (reply < 500) return 'unknown';
  switch (failure.stage) {
    case 'greeting':
      // 500/502 to EHLO: the port does not speak SMTP; 554 greeting: "no SMTP service here".
      return reply === 500 || reply === 502 ? 'wrong-protocol' : 'service-refused';
    case 'authenticate':
      if (reply === 538 || (reply === 530 && /starttls|\btls\b|encrypt/i.test(text))) return 'tls-failed';
      if (reply === 535 || reply === 534 || reply === 530) return 'credentials';
      return 'wrong-protocol'; // 500/502/503/504: no AUTH, or not the mechanism offered
    case 'send':
      if (reply === 530) return 'credentials';
      if (/relay/i.test(text)) return 'relay-denied';
      if (reply === 552 || /\b5\.3\.4\b/.test(text)) return 'message-too-large';
      return 'message-rejected';
    default:
      return 'unknown';
  }
}

function httpKind(failure: ConnectorFailureDetails): FailureKind {
  const status = failure.responseCode;
  if (status === undefined) return 'unknown';
  if (status === 401) return 'credentials';
  if (status === 403) return failure.stage === 'write' ? 'forbidden-write' : 'forbidden-read';
  if (status === 404 || status === 410) return 'not-found';
  // MKCALENDAR / MKCOL not allowed there: the account cannot create collections.
  if ((status === 405 || status === 501) && failure.stage === 'write') return 'forbidden-write';
  if (status === 412) return 'conflict';
  if (status >= 400) return 'http-error';
  return 'unknown';
}

/** IMAP response codes (RFC 5530) and POP3 extended codes (RFC 2449, RFC 3206). */
const MAIL_SERVER_CODES: Readonly<Record<string, FailureKind>> = {
  INUSE: 'mailbox-in-use',
  'IN-USE': 'mailbox-in-use',
  UNAVAILABLE: 'server-unavailable',
  SERVERBUG: 'server-unavailable',
  'SYS/TEMP': 'server-unavailable',
  LIMIT: 'service-refused',
  'LOGIN-DELAY': 'service-refused',
  PRIVACYREQUIRED: 'tls-failed',
  LOGINDISABLED: 'tls-failed',
  AUTHENTICATIONFAILED: 'credentials',
  AUTHORIZATIONFAILED: 'credentials',
  EXPIRED: 'credentials',
  AUTH: 'credentials',
};

function mailKind(failure: ConnectorFailureDetails): FailureKind {
  const byCode =
    failure.serverCode === undefined ? undefined : MAIL_SERVER_CODES[failure.serverCode.toUpperCase()];
  if (byCode !== undefined) return byCode;
  if (failure.errorCode !== undefined) return 'unknown';
  // From here on the server answered NO / -ERR.
  if (failure.stage === 'authenticate') return 'credentials';
  if (failure.protocol === 'pop3' && failure.command === 'UIDL') return 'uidl-unsupported';
  if (failure.stage === 'open' || failure.stage === 'read' || failure.stage === 'write')
    return 'command-failed';
  return 'unknown';
}
