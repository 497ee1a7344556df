/** imapflow options for a probe or sync connection to an endpoint. */
import type { ImapFlowOptions } from 'imapflow';
import { tlsConnectionOptions } from '../tls-options.js';
import type { Credentials, ServerEndpoint } from '../types.js';

export function imapFlowOptions(endpoint: ServerEndpoint, credentials: Credentials): ImapFlowOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.tls === 'implicit',
    // true: STARTTLS is required and its absence fails; false: never upgrade.
    // Never imapflow's default (upgrade if offered), which silently downgrades.
    ...(endpoint.tls === 'implicit' ? {} : { doSTARTTLS: endpoint.tls === 'starttls' }),
    auth: { user: credentials.username, pass: credentials.password },
    tls: tlsConnectionOptions(endpoint.host, endpoint),
    // imapflow's logger would write protocol traffic, including AUTHENTICATE exchanges.
    logger: false,
    connectionTimeout: endpoint.timeoutMs,
    greetingTimeout: endpoint.timeoutMs,
    socketTimeout: endpoint.timeoutMs,
    disableAutoIdle: true,
    clientInfo: { name: 'Mailroom' },
  };
}
