/**
 * imapflow errors → `ConnectorFailure`. imapflow reports most failures of
 * `connect()` (TCP, TLS, greeting, STARTTLS, login) through one promise, so
 * the stage comes from the error's markers (`authenticationFailed`,
 * `tlsFailed`, Node codes) and from how far the probe had got.
 */
import {
  CONNECT_FAILURE_CODES,
  DROPPED_CODES,
  HOST_NOT_FOUND_CODES,
  MAILROOM_CODES,
  TIMEOUT_CODE,
  TIMEOUT_CODES,
  UNTRUSTED_CERTIFICATE_CODES,
  isTlsFailureCode,
} from '../failure-codes.js';
import { clipServerText, connectorFailure } from '../failure.js';
import { messageOf, nodeErrorCode, propertyOf, stringProperty } from '../node-errors.js';
import { ConnectorFailure, type ConnectorStage, type ServerEndpoint } from '../types.js';

/** What the probe had reached when it failed. */
export interface ImapProgress {
  stage: ConnectorStage;
  /** the server's first line, once seen */
  greeting?: string | undefined;
}

export function imapFailure(
  error: unknown,
  progress: ImapProgress,
  endpoint: ServerEndpoint,
): ConnectorFailure {
  if (error instanceof ConnectorFailure) return error;
  const base = { protocol: 'imap', host: endpoint.host, port: endpoint.port } as const;
  const rawCode = stringProperty(error, 'code');
  const code = nodeErrorCode(error);
  const serverCode = stringProperty(error, 'serverResponseCode');
  const serverText = clipServerText(stringProperty(error, 'responseText') ?? stringProperty(error, 'reason'));
  const command = commandOf(error);

  if (propertyOf(error, 'authenticationFailed') === true) {
    // imapflow's own refusals ("Login is disabled") carry no server response;
    // LOGINDISABLED is the capability that made it refuse.
    const loginDisabled = /login is disabled/i.test(messageOf(error));
    return connectorFailure({
      ...base,
      stage: 'authenticate',
      serverCode: serverCode ?? (loginDisabled ? 'LOGINDISABLED' : undefined),
      serverText,
      command: command ?? 'LOGIN',
    });
  }

  if (rawCode !== undefined && TIMEOUT_CODES.has(rawCode)) {
    return connectorFailure({
      ...base,
      stage: timeoutStage(rawCode, progress),
      errorCode: TIMEOUT_CODE,
      command,
    });
  }

  if (rawCode === 'NoConnection' || rawCode?.startsWith('ClosedAfterConnect')) {
    // A BYE instead of a greeting is a refusal of service; a close later is a dropped connection.
    const byeReason = stringProperty(error, 'reason');
    const byeGreeting = /^\* BYE\b/i.test(progress.greeting ?? '')
      ? (progress.greeting ?? '').replace(/^\* BYE\s*/i, '')
      : undefined;
    if (byeGreeting !== undefined || (progress.greeting === undefined && byeReason !== undefined)) {
      return connectorFailure({
        ...base,
        stage: 'greeting',
        errorCode: MAILROOM_CODES.serviceRefused,
        serverText: clipServerText(byeReason ?? byeGreeting),
      });
    }
    return connectorFailure({
      ...base,
      stage: progress.greeting === undefined ? 'greeting' : progress.stage,
      errorCode: MAILROOM_CODES.connectionDropped,
      serverText: clipServerText(byeReason),
      command,
    });
  }

  if (propertyOf(error, 'tlsFailed') === true || (code !== undefined && isTlsCode(code))) {
    const unsupported = /does not support STARTTLS/i.test(messageOf(error));
    return connectorFailure({
      ...base,
      stage: 'tls',
      errorCode: unsupported ? MAILROOM_CODES.starttlsUnavailable : code,
      command: unsupported ? 'STARTTLS' : command,
    });
  }

  if (code !== undefined && (HOST_NOT_FOUND_CODES.has(code) || code === 'EAI_AGAIN')) {
    return connectorFailure({ ...base, stage: 'resolve', errorCode: code });
  }
  if (code !== undefined && CONNECT_FAILURE_CODES.has(code)) {
    return connectorFailure({ ...base, stage: 'connect', errorCode: code });
  }
  if (code !== undefined && DROPPED_CODES.has(code)) {
    return connectorFailure({ ...base, stage: progress.stage, errorCode: code, command });
  }

  // A tagged NO or BAD: the server refused a command (SELECT, FETCH…).
  const status = stringProperty(error, 'responseStatus');
  if (status === 'NO' || status === 'BAD') {
    return connectorFailure({ ...base, stage: progress.stage, serverCode, serverText, command });
  }

  return connectorFailure({
    ...base,
    stage: progress.stage,
    errorCode:
      rawCode !== undefined && IMAPFLOW_PROTOCOL_CODES.has(rawCode) ? MAILROOM_CODES.protocolError : code,
    serverText,
    command,
  });
}

/** imapflow's codes for replies it could not make sense of. */
const IMAPFLOW_PROTOCOL_CODES: ReadonlySet<string> = new Set([
  'InvalidResponse',
  'ParserError',
  'UnexpectedTag',
  'ResponseProcessingFailed',
  'STARTTLS_INJECTION',
]);

function isTlsCode(code: string): boolean {
  return UNTRUSTED_CERTIFICATE_CODES.has(code) || isTlsFailureCode(code);
}

function timeoutStage(rawCode: string, progress: ImapProgress): ConnectorStage {
  if (rawCode === 'CONNECT_TIMEOUT') return 'connect';
  if (rawCode === 'UPGRADE_TIMEOUT') return 'tls';
  if (rawCode === 'GREETING_TIMEOUT' || progress.greeting === undefined) {
    // Connected (or the deadline would have been CONNECT_TIMEOUT) but no first line.
    return progress.stage === 'connect' ? 'greeting' : progress.stage;
  }
  return progress.stage;
}

/** "3 UID FETCH 1:* (…)" → "UID FETCH"; the arguments may hold a user name, so they are dropped. */
function commandOf(error: unknown): string | undefined {
  const executed = stringProperty(error, 'executedCommand');
  if (executed === undefined) return undefined;
  const words = executed.trim().split(/\s+/).slice(1);
  const first = words[0]?.toUpperCase();
  if (first === undefined) return undefined;
  return first === 'UID' && words[1] !== undefined ? `UID ${words[1].toUpperCase()}` : first;
}
