/**
 * One SMTP session for one outgoing cycle: a single connection reused for
 * the whole batch (nodemailer's pool with one connection), closed when the
 * cycle ends so that a changed password or server is picked up by the next
 * cycle. Sends pre-built MIME as it is (`raw` + envelope).
 */
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { smtpFailure, smtpTransportOptions } from '../../connectors/smtp/index.js';
import type { Credentials, ServerEndpoint } from '../../connectors/types.js';

export interface RawSendResult {
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  /** the server's final reply, e.g. "250 2.0.0 Ok: queued as …" */
  readonly response: string;
}

export interface SmtpSession {
  /** rejects with a ConnectorFailure */
  send(envelope: { from: string; to: readonly string[] }, raw: Buffer): Promise<RawSendResult>;
  close(): void;
}

export type OpenSmtpSession = (endpoint: ServerEndpoint, credentials: Credentials) => SmtpSession;

export const openSmtpSession: OpenSmtpSession = (endpoint, credentials) => {
  const transport = nodemailer.createTransport({
    ...smtpTransportOptions(endpoint, credentials),
    pool: true,
    maxConnections: 1,
    maxMessages: 1000,
  });
  return {
    async send(envelope, raw) {
      try {
        const info = (await transport.sendMail({
          envelope: { from: envelope.from, to: [...envelope.to] },
          raw,
        })) as { accepted: (string | Mail.Address)[]; rejected: (string | Mail.Address)[]; response: string };
        return {
          accepted: addresses(info.accepted),
          rejected: addresses(info.rejected),
          response: info.response,
        };
      } catch (error) {
        throw smtpFailure(error, endpoint);
      }
    },
    close() {
      transport.close();
    },
  };
};

function addresses(list: ReadonlyArray<string | Mail.Address> | undefined): string[] {
  return (list ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.address));
}
