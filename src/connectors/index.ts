/**
 * Connectors by protocol, and the classifier. Callers pick a connector from
 * the profile type and never see imapflow, nodemailer, tsdav or our POP3
 * client directly.
 */
import { davConnector } from './dav/connector.js';
import { imapConnector } from './imap/connector.js';
import { pop3Connector } from './pop3/connector.js';
import { smtpConnector } from './smtp/connector.js';
import type { ActConnector, IncomingConnector, OutgoingConnector } from './types.js';

export * from './types.js';
export {
  classifyFailure,
  CLASSIFICATION_TABLE,
  type Classification,
  type ClassifyContext,
  type ClassifyChannel,
} from './classify.js';
export { MAILROOM_CODES } from './failure-codes.js';
export { imapConnector, pop3Connector, smtpConnector, davConnector };

/** The incoming connector for a protocol. */
export function incomingConnector(protocol: 'imap' | 'pop3'): IncomingConnector {
  return protocol === 'imap' ? imapConnector : pop3Connector;
}

export function outgoingConnector(): OutgoingConnector {
  return smtpConnector;
}

export function actConnector(): ActConnector {
  return davConnector;
}
