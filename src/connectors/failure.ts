/**
 * Building `ConnectorFailure`s. The message is made from the details only, so
 * it can never carry a credential that a library error happened to contain.
 */
import { ConnectorFailure, type ConnectorFailureDetails } from './types.js';

export function connectorFailure(details: ConnectorFailureDetails): ConnectorFailure {
  return new ConnectorFailure(describeFailure(details), details);
}

/** "imap authenticate failed at 127.0.0.1:143 (AUTHENTICATIONFAILED): Authentication failed." */
export function describeFailure(details: ConnectorFailureDetails): string {
  const where =
    details.url ??
    (details.host === undefined
      ? ''
      : `${details.host}${details.port === undefined ? '' : `:${details.port}`}`);
  const codes = [details.errorCode, details.responseCode, details.serverCode, details.command]
    .filter((part) => part !== undefined)
    .join(' ');
  return [
    `${details.protocol} ${details.stage} failed`,
    where ? ` at ${where}` : '',
    codes ? ` (${codes})` : '',
    details.serverText ? `: ${details.serverText}` : '',
  ].join('');
}

/** Server text kept short and on one line: it ends up in alert details and logs. */
export function clipServerText(text: string | undefined, max = 300): string | undefined {
  if (text === undefined) return undefined;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return undefined;
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
