/**
 * The IMAP incoming connector on imapflow. The probe is what Test & Enable
 * means by "really connects": log in, open INBOX read-only, read the headers
 * of the newest message (BODY.PEEK, so nothing is marked \Seen), log out.
 */
import type { FetchMessageObject, MailboxObject } from 'imapflow';
import { ImapFlow } from './client.js';
import { connectorFailure } from '../failure.js';
import { tlsLabel } from '../tls-options.js';
import { MAILROOM_CODES } from '../failure-codes.js';
import type { Credentials, IncomingConnector, ProbeReport, ServerEndpoint } from '../types.js';
import { imapFailure, type ImapProgress } from './failure.js';
import { looksLikeImapGreeting, watchFirstLine } from './greeting-watch.js';
import { imapFlowOptions } from './options.js';

export const imapConnector: IncomingConnector = {
  protocol: 'imap',
  probe: probeImap,
};

export async function probeImap(endpoint: ServerEndpoint, credentials: Credentials): Promise<ProbeReport> {
  const client = new ImapFlow(imapFlowOptions(endpoint, credentials));
  // Failures also reject the command in progress, which is where they are
  // handled; without a listener an 'error' event would crash the process.
  client.on('error', () => undefined);
  const progress: ImapProgress = { stage: 'connect' };
  try {
    await connect(client, endpoint, progress);
    progress.stage = 'open';
    const inbox = await client.mailboxOpen('INBOX', { readOnly: true });
    progress.stage = 'read';
    const newest =
      inbox.exists > 0
        ? await client.fetchOne('*', { uid: true, envelope: true, headers: true, internalDate: true })
        : false;
    await logoutQuietly(client);
    return report(client, endpoint, inbox, newest === false ? undefined : newest);
  } catch (error) {
    throw imapFailure(error, progress, endpoint);
  } finally {
    client.close();
  }
}

/** connect(), failing at once when the first line shows that another protocol answered. */
async function connect(client: ImapFlow, endpoint: ServerEndpoint, progress: ImapProgress): Promise<void> {
  const connecting = client.connect();
  // The race below may settle first; this keeps a later rejection from going unhandled.
  connecting.catch(() => undefined);
  const wrongProtocol = new Promise<never>((_resolve, reject) => {
    watchFirstLine(client, (line) => {
      progress.greeting = line;
      progress.stage = 'authenticate';
      if (looksLikeImapGreeting(line)) return;
      reject(
        connectorFailure({
          protocol: 'imap',
          stage: 'greeting',
          errorCode: MAILROOM_CODES.unexpectedGreeting,
          serverText: line.slice(0, 200),
          host: endpoint.host,
          port: endpoint.port,
        }),
      );
    });
  });
  await Promise.race([connecting, wrongProtocol]);
}

async function logoutQuietly(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    // The probe already has what it came for; a failed LOGOUT changes nothing.
  }
}

function report(
  client: ImapFlow,
  endpoint: ServerEndpoint,
  inbox: MailboxObject,
  newest: FetchMessageObject | undefined,
): ProbeReport {
  const capabilities = [...client.capabilities.keys()].sort().join(' ');
  const facts: Record<string, string | number | boolean> = {
    host: endpoint.host,
    port: endpoint.port,
    tls: endpoint.tls,
    secure: client.secureConnection,
    capabilities,
    messages: inbox.exists,
    uidValidity: inbox.uidValidity.toString(),
    uidNext: inbox.uidNext,
  };
  if (newest !== undefined) {
    facts.newestUid = newest.uid;
    facts.newestHeaderBytes = newest.headers?.length ?? 0;
    const date = newest.envelope?.date ?? newest.internalDate;
    if (date instanceof Date) facts.newestDate = date.toISOString();
  }
  const newestText =
    newest === undefined ? 'it is empty' : `read the headers of the newest message (UID ${newest.uid})`;
  return {
    protocol: 'imap',
    summary: `Logged in to ${endpoint.host}:${endpoint.port} (${tlsLabel(endpoint)}), opened INBOX (${inbox.exists} messages) and ${newestText}.`,
    facts,
  };
}
