/** CalDAV/CardDAV failures: network errors and HTTP statuses → `ConnectorFailure`. */
import {
  CONNECT_FAILURE_CODES,
  HOST_NOT_FOUND_CODES,
  TIMEOUT_CODES,
  TIMEOUT_CODE,
  UNTRUSTED_CERTIFICATE_CODES,
  isHttpParseCode,
  isTlsFailureCode,
  MAILROOM_CODES,
} from '../failure-codes.js';
import { clipServerText, connectorFailure } from '../failure.js';
import { nodeErrorCode } from '../node-errors.js';
import { ConnectorFailure, type ConnectorStage } from '../types.js';

export type DavProtocol = 'caldav' | 'carddav';

/** Where a request went: enough to name it in the failure. */
export interface DavRequestTarget {
  readonly protocol: DavProtocol;
  readonly stage: ConnectorStage;
  readonly method: string;
  readonly url: string;
}

export function davNetworkFailure(error: unknown, target: DavRequestTarget): ConnectorFailure {
  if (error instanceof ConnectorFailure) return error;
  const code = nodeErrorCode(error);
  return connectorFailure({
    ...targetDetails(target),
    stage: networkStage(code, target.stage),
    errorCode:
      code === undefined
        ? undefined
        : TIMEOUT_CODES.has(code)
          ? TIMEOUT_CODE
          : isHttpParseCode(code)
            ? MAILROOM_CODES.unexpectedGreeting
            : code,
  });
}

/**
 * 401 is an authentication failure and 404/410 a collection or principal not
 * found, whatever the step; other statuses (403, 5xx…) keep the step, which
 * tells a refused read from a refused write.
 */
export function davStatusFailure(
  status: number,
  statusText: string,
  target: DavRequestTarget,
  serverText?: string,
): ConnectorFailure {
  return connectorFailure({
    ...targetDetails(target),
    stage: status === 401 ? 'authenticate' : status === 404 || status === 410 ? 'open' : target.stage,
    responseCode: status,
    serverText: clipServerText(serverText ?? statusText),
  });
}

function networkStage(code: string | undefined, stage: ConnectorStage): ConnectorStage {
  if (code === undefined) return stage;
  if (UNTRUSTED_CERTIFICATE_CODES.has(code) || isTlsFailureCode(code)) return 'tls';
  if (HOST_NOT_FOUND_CODES.has(code) || code === 'EAI_AGAIN') return 'resolve';
  if (CONNECT_FAILURE_CODES.has(code)) return 'connect';
  // Not HTTP on that port: the first bytes of the answer failed to parse.
  if (isHttpParseCode(code)) return 'greeting';
  return stage;
}

function targetDetails(target: DavRequestTarget): {
  protocol: DavProtocol;
  command: string;
  url: string;
  host: string;
  port: number;
} {
  return { protocol: target.protocol, command: target.method, ...locationOf(target.url) };
}

/** URL, host and port of a request, for failure details. */
export function locationOf(url: string): { url: string; host: string; port: number } {
  const parsed = new URL(url);
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return { url, host: parsed.hostname, port };
}
