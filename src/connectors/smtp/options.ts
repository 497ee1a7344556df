/** nodemailer transport options for an endpoint. */
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { tlsConnectionOptions } from '../tls-options.js';
import type { Credentials, ServerEndpoint } from '../types.js';

/** `forceAuth` is a nodemailer option its type definitions do not list. */
export type SmtpTransportOptions = SMTPTransport.Options & { forceAuth?: boolean };

export function smtpTransportOptions(
  endpoint: ServerEndpoint,
  credentials: Credentials,
): SmtpTransportOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.tls === 'implicit',
    // STARTTLS is required when chosen (no silent fallback to plain text), and
    // not attempted when the profile says none.
    requireTLS: endpoint.tls === 'starttls',
    ignoreTLS: endpoint.tls === 'none',
    auth: { user: credentials.username, pass: credentials.password },
    // nodemailer skips AUTH when the server does not advertise it, and then
    // verify() "succeeds" without checking the password: force it so a server
    // that offers no AUTH fails the probe instead.
    forceAuth: true,
    tls: tlsConnectionOptions(endpoint.host, endpoint),
    connectionTimeout: endpoint.timeoutMs,
    greetingTimeout: endpoint.timeoutMs,
    socketTimeout: endpoint.timeoutMs,
    dnsTimeout: endpoint.timeoutMs,
    // nodemailer's logger would write the SMTP dialogue, AUTH included.
    logger: false,
    debug: false,
  };
}
