/**
 * Step three of classification: one sentence in our words naming the exact
 * cause ("connection refused by 127.0.0.1:1143"). Lower case, no final
 * period, so it reads on its own and inside templates such as MR21's
 * "…failed for {workload}: {reason}.". Never contains credentials: the
 * details it is made from never do.
 */
import { MAILROOM_CODES } from '../failure-codes.js';
import type { ConnectorFailureDetails, ConnectorStage } from '../types.js';
import type { FailureKind } from './kinds.js';

const PROTOCOL_NAMES: Readonly<Record<ConnectorFailureDetails['protocol'], string>> = {
  imap: 'IMAP',
  pop3: 'POP3',
  smtp: 'SMTP',
  caldav: 'CalDAV',
  carddav: 'CardDAV',
};

/** Why a certificate was refused, completing "the certificate of <server> …" and MR1's {tlsReason}. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'chains to a self-signed authority that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'was issued by an authority that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'was issued by an authority that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'was issued by an authority that is not trusted',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'was issued for another host name',
  HOSTNAME_MISMATCH: 'was issued for another host name',
  CERT_REVOKED: 'has been revoked',
};

export function certificateProblem(code: string | undefined): string {
  return (
    (code === undefined ? undefined : CERTIFICATE_PROBLEMS[code]) ??
    `could not be verified (${code ?? 'unknown reason'})`
  );
}

/** "127.0.0.1:1143", or the URL for CalDAV/CardDAV. */
export function serverOf(failure: ConnectorFailureDetails): string {
  if (failure.url !== undefined && (failure.protocol === 'caldav' || failure.protocol === 'carddav')) {
    const url = new URL(failure.url);
    return url.host;
  }
  if (failure.host === undefined) return 'the server';
  return failure.port === undefined ? failure.host : `${formatHost(failure.host)}:${failure.port}`;
}

export function reasonFor(
  kind: FailureKind,
  failure: ConnectorFailureDetails,
  credentialSource: 'profile' | 'mailbox',
): string {
  const server = serverOf(failure);
  const host = failure.host ?? 'the server';
  const protocol = PROTOCOL_NAMES[failure.protocol];
  const said = quoted(failure.serverText);
  const target = failure.url ?? server;
  switch (kind) {
    case 'host-not-found':
      return failure.errorCode === 'ERR_INVALID_URL'
        ? 'the server URL is not a valid http or https URL'
        : `the host name ${host} does not exist in DNS`;
    case 'connect-failed':
      return connectFailed(failure.errorCode, server, host);
    case 'timeout':
      return timedOut(failure, server, protocol);
    case 'untrusted-certificate':
      return `the certificate of ${server} ${certificateProblem(failure.errorCode)}`;
    case 'tls-failed':
      return tlsFailed(failure, server);
    case 'wrong-protocol':
      if (failure.protocol === 'smtp' && failure.responseCode !== undefined) {
        return `${server} did not accept the SMTP command ${failure.command ?? 'EHLO'}${said ? `: ${said}` : ''}`;
      }
      return `${server} does not speak ${protocol}${said ? `: it answered ${said}` : ''}`;
    case 'service-refused':
      return `${server} refused service${said ? `: ${said}` : ''}`;
    case 'credentials':
      return `${server} rejected the user name or password from the ${credentialSource === 'profile' ? 'email server profile' : 'mailbox'}${said ? `: ${said}` : ''}`;
    case 'relay-denied':
      return `${server} does not let this account send${failure.recipient ? ` to ${failure.recipient}` : ''}${said ? `: ${said}` : ''}`;
    case 'dropped':
      return `${server} closed the connection during ${stageWords(failure.stage, failure.command)}`;
    case 'mailbox-in-use':
      return `the mailbox on ${server} is locked by another session${said ? `: ${said}` : ''}`;
    case 'server-unavailable':
      return `${server} reported a temporary failure of its own${said ? `: ${said}` : ''}`;
    case 'uidl-unsupported':
      return `${server} does not support the POP3 UIDL command, which synchronization needs`;
    case 'temporary-reply':
      return `${server} asked to try again later${said ? `: ${said}` : ` (${failure.responseCode ?? 'temporary failure'})`}`;
    case 'message-too-large':
      return `${server} refused the message as too large${said ? `: ${said}` : ''}`;
    case 'message-rejected':
      return `${server} rejected the message${failure.recipient ? ` for ${failure.recipient}` : ''}${said ? `: ${said}` : ''}`;
    case 'forbidden-read':
      return `${target} refused to let this account read it (403 Forbidden)`;
    case 'forbidden-write':
      return `${target} refused a change by this account (${httpStatus(failure)})`;
    case 'not-found':
      return failure.serverText !== undefined &&
        failure.responseCode === 404 &&
        failure.command === 'PROPFIND'
        ? `${failure.serverText} on ${server}`
        : `${target} was not found (${httpStatus(failure)})`;
    case 'conflict':
      return `${target} was changed on the server meanwhile (412 Precondition Failed)`;
    case 'http-error':
      return `${target} answered ${httpStatus(failure)} to ${failure.command ?? 'a request'}`;
    case 'command-failed':
      return `${server} refused ${failure.command ?? 'a command'}${said ? `: ${said}` : ''}`;
    case 'unknown':
      return `${protocol} failed during ${stageWords(failure.stage, failure.command)} with ${server}${
        failure.errorCode ? ` (${failure.errorCode})` : ''
      }${said ? `: ${said}` : ''}`;
  }
}

function connectFailed(code: string | undefined, server: string, host: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${server}`;
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return `the host ${host} is unreachable`;
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return `there is no network route to ${host}`;
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `the name server did not answer for ${host} (a temporary DNS failure)`;
    default:
      return `cannot connect to ${server} (${code ?? 'connection failed'})`;
  }
}

function timedOut(failure: ConnectorFailureDetails, server: string, protocol: string): string {
  switch (failure.stage) {
    case 'resolve':
      return `the name lookup for ${failure.host ?? server} timed out`;
    case 'connect':
      return `no connection to ${server} within the timeout`;
    case 'greeting':
      return `${server} accepted the connection but sent no ${protocol} greeting within the timeout`;
    case 'tls':
      return `the TLS handshake with ${server} timed out`;
    default:
      return `${server} stopped answering during ${stageWords(failure.stage, failure.command)}`;
  }
}

function tlsFailed(failure: ConnectorFailureDetails, server: string): string {
  const code = failure.errorCode;
  if (code === MAILROOM_CODES.starttlsUnavailable) {
    return failure.serverText
      ? `${server} refused STARTTLS: ${quoted(failure.serverText)}`
      : `${server} does not offer STARTTLS`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST' || code === 'EPROTO') {
    return `${server} did not answer the TLS handshake in TLS (the port probably expects plain text or STARTTLS)`;
  }
  const serverCode = failure.serverCode?.toUpperCase();
  if (
    serverCode === 'PRIVACYREQUIRED' ||
    serverCode === 'LOGINDISABLED' ||
    failure.responseCode === 538 ||
    failure.responseCode === 530
  ) {
    return `${server} allows login only over TLS`;
  }
  if (code === MAILROOM_CODES.connectionDropped || code === 'ECONNRESET') {
    return `${server} closed the connection during the TLS handshake`;
  }
  return `the TLS handshake with ${server} failed${code ? ` (${code})` : ''}`;
}

const STAGE_WORDS: Readonly<Record<ConnectorStage, string>> = {
  resolve: 'the name lookup',
  connect: 'connecting',
  tls: 'the TLS handshake',
  greeting: 'the greeting',
  authenticate: 'login',
  open: 'opening the mailbox or collection',
  read: 'reading',
  write: 'writing',
  send: 'sending',
};

function stageWords(stage: ConnectorStage, command: string | undefined): string {
  return command === undefined ? STAGE_WORDS[stage] : `${STAGE_WORDS[stage]} (${command})`;
}

function httpStatus(failure: ConnectorFailureDetails): string {
  const status = failure.responseCode;
  if (status === undefined) return 'no status';
  const text = failure.serverText;
  return text === undefined || text.startsWith(String(status))
    ? (text ?? String(status))
    : `${status} ${text}`;
}

/** Server words are quoted so the sentence shows where ours end. */
function quoted(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : `"${text}"`;
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
