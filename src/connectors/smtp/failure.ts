/**
 * nodemailer errors → `ConnectorFailure`. nodemailer labels every error with
 * its own code (EAUTH, ESOCKET, ETLS…) and the SMTP command in progress,
 * replacing Node's code; the Node code is recovered from what is left.
 */
import {
  CONNECT_FAILURE_CODES,
  HOST_NOT_FOUND_CODES,
  MAILROOM_CODES,
  TIMEOUT_CODE,
  TIMEOUT_CODES,
  UNTRUSTED_CERTIFICATE_CODES,
  isTlsFailureCode,
} from '../failure-codes.js';
import { clipServerText, connectorFailure } from '../failure.js';
import { messageOf, nodeErrorCode, numberProperty, propertyOf, stringProperty } from '../node-errors.js';
import { ConnectorFailure, type ConnectorStage, type ServerEndpoint } from '../types.js';

export function smtpFailure(error: unknown, endpoint: ServerEndpoint): ConnectorFailure {
  if (error instanceof ConnectorFailure) return error;
  const base = { protocol: 'smtp', host: endpoint.host, port: endpoint.port } as const;
  const libraryCode = stringProperty(error, 'code');
  const command = commandName(stringProperty(error, 'command'));
  const response = clipServerText(stringProperty(error, 'response'));
  const responseCode = numberProperty(error, 'responseCode') ?? replyCodeOf(response);
  const node = nodeErrorCode(error);
  const reply = { responseCode, serverText: response, command };

  switch (libraryCode) {
    case 'EAUTH':
      return connectorFailure({ ...base, ...reply, stage: 'authenticate', command: command ?? 'AUTH' });
    case 'ETLS':
      return connectorFailure({
        ...base,
        ...reply,
        stage: 'tls',
        errorCode: responseCode === undefined ? node : MAILROOM_CODES.starttlsUnavailable,
        command: 'STARTTLS',
      });
    case 'EPROTOCOL':
      // An invalid greeting: with a reply code it is an SMTP server refusing
      // (421, 554); without one, another protocol answered.
      return connectorFailure({
        ...base,
        ...reply,
        stage: command === undefined || command === 'CONN' ? 'greeting' : stageOf(command),
        errorCode:
          responseCode === undefined
            ? command === undefined || command === 'CONN' || isHello(command)
              ? MAILROOM_CODES.unexpectedGreeting
              : MAILROOM_CODES.protocolError
            : undefined,
        command: command === 'CONN' ? undefined : command,
      });
    case 'EENVELOPE':
    case 'EMESSAGE':
      return connectorFailure({ ...base, ...reply, stage: 'send', recipient: refusedRecipient(error) });
    case 'ETIMEDOUT':
      return connectorFailure({
        ...base,
        stage: timeoutStage(error, command),
        errorCode: TIMEOUT_CODE,
        command: commandOrNone(command),
      });
    case 'ECONNECTION':
      return connectorFailure({
        ...base,
        ...reply,
        stage: command === undefined || command === 'CONN' ? 'greeting' : stageOf(command),
        errorCode: node ?? MAILROOM_CODES.connectionDropped,
        command: commandOrNone(command),
      });
    default:
      return socketFailure(base, node, command, reply);
  }
}

/** ESOCKET, EDNS and anything else: the Node code decides the stage. */
function socketFailure(
  base: { protocol: 'smtp'; host: string; port: number },
  node: string | undefined,
  command: string | undefined,
  reply: { responseCode: number | undefined; serverText: string | undefined; command: string | undefined },
): ConnectorFailure {
  if (node !== undefined && (UNTRUSTED_CERTIFICATE_CODES.has(node) || isTlsFailureCode(node))) {
    return connectorFailure({ ...base, stage: 'tls', errorCode: node });
  }
  if (node !== undefined && (HOST_NOT_FOUND_CODES.has(node) || node === 'EAI_AGAIN')) {
    return connectorFailure({ ...base, stage: 'resolve', errorCode: node });
  }
  if (node !== undefined && CONNECT_FAILURE_CODES.has(node)) {
    return connectorFailure({ ...base, stage: 'connect', errorCode: node });
  }
  if (node !== undefined && TIMEOUT_CODES.has(node)) {
    return connectorFailure({
      ...base,
      stage: command === undefined ? 'connect' : stageOf(command),
      errorCode: TIMEOUT_CODE,
    });
  }
  return connectorFailure({
    ...base,
    ...reply,
    stage: command === undefined || command === 'CONN' ? 'greeting' : stageOf(command),
    errorCode: node,
    command: commandOrNone(command),
  });
}

function timeoutStage(error: unknown, command: string | undefined): ConnectorStage {
  const message = messageOf(error);
  if (/greeting/i.test(message)) return 'greeting';
  if (command === undefined || command === 'CONN')
    return /connection timeout/i.test(message) ? 'connect' : 'greeting';
  return stageOf(command);
}

function stageOf(command: string): ConnectorStage {
  if (isHello(command)) return 'greeting';
  if (command === 'STARTTLS') return 'tls';
  if (command.startsWith('AUTH')) return 'authenticate';
  if (command === 'CONN') return 'connect';
  return 'send';
}

function isHello(command: string): boolean {
  return command === 'EHLO' || command === 'HELO' || command === 'LHLO';
}

/** "AUTH PLAIN" → "AUTH"; "RCPT TO" stays; arguments never included. */
function commandName(command: string | undefined): string | undefined {
  if (command === undefined) return undefined;
  const upper = command.trim().toUpperCase();
  if (upper.startsWith('AUTH')) return 'AUTH';
  const known = [
    'MAIL FROM',
    'RCPT TO',
    'DATA',
    'BDAT',
    'EHLO',
    'HELO',
    'LHLO',
    'STARTTLS',
    'CONN',
    'QUIT',
    'RSET',
  ];
  return known.find((name) => upper.startsWith(name)) ?? upper.split(/\s+/)[0];
}

function commandOrNone(command: string | undefined): string | undefined {
  return command === 'CONN' ? undefined : command;
}

/** "421 4.3.2 Service shutting down" → 421. */
function replyCodeOf(response: string | undefined): number | undefined {
  const match = response === undefined ? null : /^([2-5]\d\d)(?:[ -]|$)/.exec(response);
  return match === null ? undefined : Number(match[1]);
}

function refusedRecipient(error: unknown): string | undefined {
  const rejectedErrors = propertyOf(error, 'rejectedErrors');
  if (Array.isArray(rejectedErrors)) {
    const first: unknown = rejectedErrors[0];
    const recipient = stringProperty(first, 'recipient');
    if (recipient !== undefined) return recipient;
  }
  const rejected = propertyOf(error, 'rejected');
  if (Array.isArray(rejected)) {
    const first: unknown = rejected[0];
    if (typeof first === 'string') return first;
    return stringProperty(first, 'address');
  }
  return undefined;
}
