/**
 * What every connector offers, by kind: incoming (IMAP, POP3), outgoing (SMTP)
 * and appointments/contacts/tasks (CalDAV/CardDAV). A new provider is one
 * folder that implements one of these interfaces; callers never see protocol
 * libraries or their errors, only `ConnectorFailure`s that `classify.ts` turns
 * into alert codes.
 */
import type { TlsMode } from '../db/schema.js';

/** Where and how to connect, with credentials already decrypted (in memory only). */
export interface ServerEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  /** false only when an admin turned certificate checks off for the profile */
  readonly verifyCertificates: boolean;
  readonly timeoutMs: number;
  /** extra trusted CA certificates (PEM), added to the system's */
  readonly extraCa?: string | undefined;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface DavEndpoint {
  /** the server's base URL, e.g. https://dav.example.com/ (discovery starts at /.well-known/) */
  readonly url: string;
  readonly verifyCertificates: boolean;
  readonly timeoutMs: number;
  readonly extraCa?: string | undefined;
}

/** The protocol step that failed: decides which alert applies. */
export type ConnectorStage =
  | 'resolve' // DNS lookup of the host
  | 'connect' // TCP connection
  | 'tls' // TLS handshake or STARTTLS
  | 'greeting' // the server's first line (wrong protocol on that port shows here)
  | 'authenticate'
  | 'open' // selecting a folder, finding a collection
  | 'read'
  | 'write'
  | 'send';

/**
 * Everything known about a failure, in protocol-neutral terms. Produced by
 * connectors, consumed by the pure classifier.
 */
export interface ConnectorFailureDetails {
  readonly protocol: 'imap' | 'pop3' | 'smtp' | 'caldav' | 'carddav';
  readonly stage: ConnectorStage;
  /** Node's error code, e.g. ECONNREFUSED, ETIMEDOUT, ENOTFOUND, ECONNRESET, or a TLS code such as DEPTH_ZERO_SELF_SIGNED_CERT */
  readonly errorCode?: string | undefined;
  /** SMTP reply code (e.g. 421, 535, 550) or HTTP status (401, 403, 404) */
  readonly responseCode?: number | undefined;
  /** the server's words (reply text, IMAP response text), never credentials */
  readonly serverText?: string | undefined;
  /** a recipient the server refused, for SMTP */
  readonly recipient?: string | undefined;
  /**
   * A protocol-level status word that is not a number: an IMAP response code
   * (AUTHENTICATIONFAILED, INUSE, UNAVAILABLE…) or a POP3 extended response
   * code (IN-USE, SYS/TEMP, AUTH…). Added for the classifier.
   */
  readonly serverCode?: string | undefined;
  /** the protocol command that failed (LOGIN, SELECT, UIDL, STARTTLS, RCPT TO, PROPFIND…), never its arguments */
  readonly command?: string | undefined;
  /** the server's host name or address and port, for the reason text and `{serverHost}` */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** for CalDAV/CardDAV: the URL of the resource the failing request went to */
  readonly url?: string | undefined;
}

export class ConnectorFailure extends Error {
  constructor(
    message: string,
    readonly details: ConnectorFailureDetails,
  ) {
    super(message);
    this.name = 'ConnectorFailure';
  }
}

/** What a successful probe saw, for the Test & Enable report. */
export interface ProbeReport {
  readonly protocol: ConnectorFailureDetails['protocol'];
  readonly summary: string;
  readonly facts: Readonly<Record<string, string | number | boolean>>;
}

export interface IncomingConnector {
  readonly protocol: 'imap' | 'pop3';
  /** log in, open the inbox and read one message's headers if there is one */
  probe(endpoint: ServerEndpoint, credentials: Credentials): Promise<ProbeReport>;
}

export interface OutgoingMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  readonly messageId?: string | undefined;
}

export interface OutgoingConnector {
  readonly protocol: 'smtp';
  /** authenticate only */
  probe(endpoint: ServerEndpoint, credentials: Credentials): Promise<ProbeReport>;
  /** send one message; resolves with the Message-ID the server accepted */
  send(endpoint: ServerEndpoint, credentials: Credentials, message: OutgoingMessage): Promise<SendResult>;
}

export interface SendResult {
  readonly messageId: string;
  /** recipients the server accepted */
  readonly accepted?: readonly string[] | undefined;
  /** recipients the server refused while accepting the message for others (MR9) */
  readonly rejected?: readonly string[] | undefined;
}

export interface ActConnector {
  readonly protocol: 'caldav';
  /** discover the principal, calendar home and address book, and check that both can be read and written */
  probe(endpoint: DavEndpoint, credentials: Credentials): Promise<ProbeReport>;
}
