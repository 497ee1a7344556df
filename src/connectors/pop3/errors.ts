/** The one error type the POP3 client throws. */

/** Where the session was: decides the connector stage. */
export type Pop3Phase = 'connect' | 'tls' | 'greeting' | 'command';

/**
 * - negative: the server answered -ERR (the session is still usable, except in the greeting)
 * - timeout: no answer in time (the connection is closed)
 * - closed: the server closed the connection (no network error)
 * - protocol: the reply is not POP3 (wrong port, or a broken server)
 * - network: a Node socket or TLS error (refused, DNS, certificate…)
 */
export type Pop3ErrorKind = 'negative' | 'timeout' | 'closed' | 'protocol' | 'network';

export interface Pop3ErrorInfo {
  readonly kind: Pop3ErrorKind;
  readonly phase: Pop3Phase;
  /** Node's code, or one of MAILROOM_CODES / ETIMEDOUT; absent for a plain -ERR */
  readonly code?: string | undefined;
  /** the command name (USER, PASS, UIDL…), never its arguments */
  readonly command?: string | undefined;
  /** the server's text after +OK/-ERR (or the unexpected line) */
  readonly serverText?: string | undefined;
  /** RFC 2449 extended response code: IN-USE, LOGIN-DELAY, SYS/TEMP, SYS/PERM, AUTH */
  readonly responseCode?: string | undefined;
}

export class Pop3Error extends Error {
  override readonly name = 'Pop3Error';

  constructor(
    message: string,
    readonly info: Pop3ErrorInfo,
  ) {
    super(message);
  }

  get kind(): Pop3ErrorKind {
    return this.info.kind;
  }

  /** true when the session can still be used after this error (a -ERR to a command) */
  get recoverable(): boolean {
    return this.info.kind === 'negative' && this.info.phase === 'command';
  }
}
