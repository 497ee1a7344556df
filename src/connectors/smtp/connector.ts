/**
 * The SMTP outgoing connector on nodemailer. One transport per call, closed
 * afterwards: Test & Enable and the outgoing cycle each send a handful of
 * messages, and a pooled connection would outlive a changed password.
 */
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { tlsLabel } from '../tls-options.js';
import type {
  Credentials,
  OutgoingConnector,
  OutgoingMessage,
  ProbeReport,
  SendResult,
  ServerEndpoint,
} from '../types.js';
import { smtpFailure } from './failure.js';
import { smtpTransportOptions } from './options.js';

export const smtpConnector: OutgoingConnector = {
  protocol: 'smtp',
  probe: probeSmtp,
  send: sendSmtp,
};

/** Connect, EHLO, STARTTLS when required, AUTH; nothing is sent. */
export async function probeSmtp(endpoint: ServerEndpoint, credentials: Credentials): Promise<ProbeReport> {
  const transport = nodemailer.createTransport(smtpTransportOptions(endpoint, credentials));
  try {
    await transport.verify();
  } catch (error) {
    throw smtpFailure(error, endpoint);
  } finally {
    transport.close();
  }
  return {
    protocol: 'smtp',
    summary: `Authenticated to ${endpoint.host}:${endpoint.port} (${tlsLabel(endpoint)}).`,
    facts: { host: endpoint.host, port: endpoint.port, tls: endpoint.tls, authenticated: true },
  };
}

/**
 * Sends one message. Resolves when the server accepted it for at least one
 * recipient (the refused ones are in `rejected`); rejects with a
 * `ConnectorFailure` otherwise.
 */
export async function sendSmtp(
  endpoint: ServerEndpoint,
  credentials: Credentials,
  message: OutgoingMessage,
): Promise<SendResult> {
  const transport = nodemailer.createTransport(smtpTransportOptions(endpoint, credentials));
  try {
    const info = await transport.sendMail({
      from: message.from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      ...(message.html === undefined ? {} : { html: message.html }),
      ...(message.messageId === undefined ? {} : { messageId: angleBracketed(message.messageId) }),
    });
    return {
      messageId: info.messageId,
      accepted: addresses(info.accepted),
      rejected: addresses(info.rejected),
    };
  } catch (error) {
    throw smtpFailure(error, endpoint);
  } finally {
    transport.close();
  }
}

function addresses(list: ReadonlyArray<string | Mail.Address>): string[] {
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.address));
}

/** Message-IDs are stored without brackets in some places; the header needs them. */
function angleBracketed(messageId: string): string {
  const trimmed = messageId.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}
