/**
 * Turns a profile and a mailbox into what a connector needs for one channel:
 * the endpoint (host, port, TLS, certificate policy, timeout) and the
 * credentials, decrypted here and only held in memory.
 */
import type { Row } from '../db/schema.js';
import type { Credentials, DavEndpoint, ServerEndpoint } from '../connectors/types.js';
import { SecretKeyError, type SecretBox } from '../security/secrets.js';
import type { SyncChannel } from '../security/sync-requirements.js';
import { defaultPort } from './resources.js';

export interface TlsTrust {
  /** extra trusted CA certificates (PEM), from MAILROOM_TLS_CA_FILE */
  readonly extraCa?: string | undefined;
}

export class CredentialsUnreadableError extends Error {
  override readonly name = 'CredentialsUnreadableError';
}

export function incomingProtocol(profile: Row<'emailServerProfiles'>): 'imap' | 'pop3' {
  return profile.serverType === 'pop3-smtp' ? 'pop3' : 'imap';
}

export function emailEndpoint(
  channel: 'incoming' | 'outgoing',
  profile: Row<'emailServerProfiles'>,
  trust: TlsTrust,
): ServerEndpoint | undefined {
  const host = channel === 'incoming' ? profile.incomingHost : profile.outgoingHost;
  if (!host) return undefined;
  const tls = channel === 'incoming' ? profile.incomingTls : profile.outgoingTls;
  const port =
    (channel === 'incoming' ? profile.incomingPort : profile.outgoingPort) ??
    defaultPort(channel === 'incoming' ? incomingProtocol(profile) : 'smtp', tls);
  return {
    host,
    port,
    tls,
    verifyCertificates: profile.tlsVerifyCertificates,
    timeoutMs: profile.connectionTimeoutMs,
    extraCa: trust.extraCa,
  };
}

export function davEndpoint(profile: Row<'emailServerProfiles'>, trust: TlsTrust): DavEndpoint | undefined {
  if (!profile.actUrl) return undefined;
  return {
    url: profile.actUrl,
    verifyCertificates: profile.tlsVerifyCertificates,
    timeoutMs: profile.connectionTimeoutMs,
    extraCa: trust.extraCa,
  };
}

function open(secrets: SecretBox, sealed: string | null): string | undefined {
  if (sealed === null) return undefined;
  try {
    return secrets.open(sealed);
  } catch (error) {
    if (error instanceof SecretKeyError) throw new CredentialsUnreadableError(error.message);
    throw error;
  }
}

/**
 * The user name and password for a channel: from the mailbox when the profile
 * says credentials are per mailbox, otherwise from the profile (outgoing may
 * have its own unless the profile uses the same settings for both).
 * Undefined when they are missing (the preconditions report that).
 */
export function channelCredentials(
  channel: SyncChannel,
  profile: Row<'emailServerProfiles'>,
  mailbox: Pick<Row<'mailboxes'>, 'allowCredentialsUse' | 'username' | 'passwordEncrypted'>,
  secrets: SecretBox,
): Credentials | undefined {
  if (profile.credentialSource !== 'mailbox') return profileCredentials(channel, profile, secrets);
  if (!mailbox.allowCredentialsUse) return undefined;
  return credentials(mailbox.username, open(secrets, mailbox.passwordEncrypted));
}

/** The credentials stored on the profile itself (outgoing may have its own). */
export function profileCredentials(
  channel: SyncChannel,
  profile: Row<'emailServerProfiles'>,
  secrets: SecretBox,
): Credentials | undefined {
  const separateOutgoing = channel === 'outgoing' && !profile.useSameSettingsForOutgoing;
  return separateOutgoing
    ? credentials(profile.outgoingUsername, open(secrets, profile.outgoingPasswordEncrypted))
    : credentials(profile.incomingUsername, open(secrets, profile.incomingPasswordEncrypted));
}

function credentials(username: string | null, password: string | undefined): Credentials | undefined {
  return username && password !== undefined ? { username, password } : undefined;
}
