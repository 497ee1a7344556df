/**
 * The POP3 incoming connector. The probe logs in, checks that the maildrop
 * answers STAT and UIDL (incoming sync keys messages by UIDL, so a server
 * without it cannot be synchronized) and reads the newest message's headers
 * with TOP n 0. It never deletes anything: QUIT with nothing marked.
 */
import { tlsConnectionOptions, tlsLabel } from '../tls-options.js';
import type {
  ConnectorStage,
  Credentials,
  IncomingConnector,
  ProbeReport,
  ServerEndpoint,
} from '../types.js';
import { Pop3Client, type Pop3ClientOptions } from './client.js';
import { Pop3Error } from './errors.js';
import { pop3Failure } from './failure.js';

export const pop3Connector: IncomingConnector = {
  protocol: 'pop3',
  probe: probePop3,
};

/** Client options for an endpoint; incoming sync uses the same. */
export function pop3ClientOptions(endpoint: ServerEndpoint): Pop3ClientOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    tls: endpoint.tls,
    tlsOptions: tlsConnectionOptions(endpoint.host, endpoint),
    timeoutMs: endpoint.timeoutMs,
  };
}

export async function probePop3(endpoint: ServerEndpoint, credentials: Credentials): Promise<ProbeReport> {
  let step: ConnectorStage = 'connect';
  let client: Pop3Client | undefined;
  try {
    client = await Pop3Client.connect(pop3ClientOptions(endpoint));
    step = 'authenticate';
    const capabilities = await client.capabilities();
    await client.login(credentials.username, credentials.password);
    step = 'open';
    const stat = await client.stat();
    step = 'read';
    const facts: Record<string, string | number | boolean> = {
      host: endpoint.host,
      port: endpoint.port,
      tls: endpoint.tls,
      secure: client.secure,
      messages: stat.count,
      size: stat.size,
    };
    if (capabilities !== undefined) facts.capabilities = capabilities.join(' ');
    if (stat.count > 0) {
      facts.newestUid = await client.uidlOf(stat.count);
      facts.newestHeaderBytes = (await headersOf(client, stat.count)).length;
    } else {
      await client.uidl();
    }
    await client.quit().catch(() => undefined);
    return {
      protocol: 'pop3',
      summary:
        `Logged in to ${endpoint.host}:${endpoint.port} (${tlsLabel(endpoint)}); the maildrop has ${stat.count} messages` +
        (stat.count > 0 ? ` and the headers of the newest were read.` : '.'),
      facts,
    };
  } catch (error) {
    throw pop3Failure(error, step, endpoint);
  } finally {
    client?.close();
  }
}

/** TOP n 0; TOP is optional in RFC 1939, so a server without it is asked for the whole message. */
async function headersOf(client: Pop3Client, messageNumber: number): Promise<Buffer> {
  try {
    return await client.top(messageNumber, 0);
  } catch (error) {
    if (!(error instanceof Pop3Error && error.recoverable)) throw error;
    const message = await client.retr(messageNumber);
    const end = message.indexOf('\r\n\r\n');
    return end < 0 ? message : message.subarray(0, end + 2);
  }
}
