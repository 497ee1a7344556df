/**
 * Opens the IMAP connection an IDLE watcher holds: the mailbox's incoming
 * server and credentials (the same settings as its cycles), logged in, with
 * the Inbox opened read-only (EXAMINE), so watching never changes a flag.
 *
 * The connection only listens. It re-issues IDLE every few minutes, which
 * doubles as a keep-alive, and a quiet socket is probed with a NOOP before
 * it is declared dead, so a server that vanished is noticed within minutes.
 */
import { ImapFlow } from '../../connectors/imap/client.js';
import { imapFlowOptions } from '../../connectors/imap/options.js';
import type { Db } from '../../db/connection.js';
import { channelCredentials, emailEndpoint, type TlsTrust } from '../../mailboxes/connection-settings.js';
import type { SecretBox } from '../../security/secrets.js';

export const IDLE_FOLDER = 'INBOX';
/** RFC 2177 asks clients to re-issue IDLE at least every 29 minutes; NATs forget sooner. */
const REISSUE_IDLE_MS = 4 * 60_000;
const QUIET_SOCKET_MS = 5 * 60_000;

export interface OpenedIdleConnection {
  readonly client: ImapFlow;
  /** the email server profile it connects through (for the connections gauge) */
  readonly profileId: string;
  /** the UIDNEXT of the folder when it was opened */
  readonly uidNext: number;
}

export class IdleSettingsMissingError extends Error {
  override readonly name = 'IdleSettingsMissingError';
}

export type IdleConnect = (mailboxId: string) => Promise<OpenedIdleConnection>;

export function imapIdleConnect(deps: { db: Db; secrets: SecretBox; trust: TlsTrust }): IdleConnect {
  return async (mailboxId) => {
    const row = await deps.db
      .selectFrom('mailboxes')
      .select(['allowCredentialsUse', 'username', 'passwordEncrypted', 'emailServerProfileId'])
      .where('id', '=', mailboxId)
      .executeTakeFirst();
    const profile = row?.emailServerProfileId
      ? await deps.db
          .selectFrom('emailServerProfiles')
          .selectAll()
          .where('id', '=', row.emailServerProfileId)
          .executeTakeFirst()
      : undefined;
    if (!row || !profile) throw new IdleSettingsMissingError(`mailbox ${mailboxId} has no profile`);
    const endpoint = emailEndpoint('incoming', profile, deps.trust);
    const credentials = channelCredentials('incoming', profile, row, deps.secrets);
    if (!endpoint || !credentials) {
      throw new IdleSettingsMissingError(`mailbox ${mailboxId} has no incoming server or credentials`);
    }
    const client = new ImapFlow({
      ...imapFlowOptions(endpoint, credentials),
      maxIdleTime: REISSUE_IDLE_MS,
      socketTimeout: QUIET_SOCKET_MS,
    });
    // Failures surface as a rejected command or a 'close' event; an unhandled
    // 'error' event would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const opened = await client.mailboxOpen(IDLE_FOLDER, { readOnly: true });
      return { client, profileId: profile.id, uidNext: opened.uidNext };
    } catch (error) {
      client.close();
      throw error;
    }
  };
}
