/** Pop3Error → `ConnectorFailure`, with the stage from the client's phase and the probe's step. */
import { HOST_NOT_FOUND_CODES, UNTRUSTED_CERTIFICATE_CODES, isTlsFailureCode } from '../failure-codes.js';
import { connectorFailure } from '../failure.js';
import { nodeErrorCode } from '../node-errors.js';
import { ConnectorFailure, type ConnectorStage, type ServerEndpoint } from '../types.js';
import { Pop3Error } from './errors.js';

/** @param step what the caller was doing once the session was set up (authenticate, open, read…) */
export function pop3Failure(
  error: unknown,
  step: ConnectorStage,
  endpoint: ServerEndpoint,
): ConnectorFailure {
  if (error instanceof ConnectorFailure) return error;
  const base = { protocol: 'pop3', host: endpoint.host, port: endpoint.port } as const;
  if (!(error instanceof Pop3Error)) {
    return connectorFailure({ ...base, stage: step, errorCode: nodeErrorCode(error) });
  }
  const { info } = error;
  return connectorFailure({
    ...base,
    stage: stageOf(error, step),
    errorCode: info.code,
    serverText: info.serverText,
    serverCode: info.responseCode,
    command: info.command,
  });
}

function stageOf(error: Pop3Error, step: ConnectorStage): ConnectorStage {
  const { phase, code } = error.info;
  switch (phase) {
    case 'connect':
      if (code !== undefined && (HOST_NOT_FOUND_CODES.has(code) || code === 'EAI_AGAIN')) return 'resolve';
      if (code !== undefined && (UNTRUSTED_CERTIFICATE_CODES.has(code) || isTlsFailureCode(code)))
        return 'tls';
      return 'connect';
    case 'tls':
      return 'tls';
    case 'greeting':
      return 'greeting';
    case 'command':
      return step;
  }
}
