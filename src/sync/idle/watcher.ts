/**
 * One mailbox's IMAP IDLE connection: connect, open the Inbox, IDLE, and
 * when the server announces more messages (EXISTS), ask for an incoming
 * cycle now. When the connection drops it reconnects after a growing,
 * jittered delay (backoff.ts), for as long as the supervisor keeps it.
 *
 * A worker may hold thousands of these, so a watcher keeps only a handful of
 * fields; everything shared (how to connect, how to wake the mailbox, the
 * logger, the connect gate) lives once in `WatcherEnvironment`. Errors are
 * never the watcher's to report: the mailbox's polling cycles keep running
 * and raise alerts if the server is really unreachable, which also ends the
 * watch (a failing mailbox is not watched).
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { trackConnection } from '../../observability/metrics.js';
import { reconnectDelayMs, type ReconnectPolicy } from './backoff.js';
import type { IdleConnect } from './connect.js';

export interface WatcherEnvironment {
  readonly connect: IdleConnect;
  /** the mailbox has new mail: make its incoming channel due now */
  readonly wake: (mailboxId: string) => Promise<unknown>;
  /** limits how many watchers connect at the same moment */
  readonly gate: <T>(work: () => Promise<T>) => Promise<T>;
  readonly policy: ReconnectPolicy;
  readonly random?: () => number;
  readonly logger?: Logger | undefined;
}

/** A connection that lasted this long resets the reconnection backoff. */
const STABLE_SESSION_MS = 60_000;

export class IdleWatcher {
  private client: ImapFlow | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private waking = false;
  private wakeAgain = false;
  /** UIDNEXT when the last connection opened: mail that came while away wakes the mailbox on reconnect */
  private lastUidNext = 0;
  private session: Promise<void> | undefined;

  constructor(
    readonly mailboxId: string,
    /** the connection settings' fingerprint this watcher connected with */
    readonly fingerprint: number,
    private readonly env: WatcherEnvironment,
  ) {}

  /** connected and idling (or about to) */
  get connected(): boolean {
    return this.client?.usable === true;
  }

  start(): void {
    if (this.stopped || this.session) return;
    this.session = this.run().finally(() => {
      this.session = undefined;
      this.scheduleReconnect();
    });
  }

  /** Closes the connection and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.client?.close();
    await this.session;
  }

  private async run(): Promise<void> {
    let client: ImapFlow | undefined;
    let release: (() => void) | undefined;
    let openedAt = 0;
    try {
      const opened = await this.env.gate(() => this.env.connect(this.mailboxId));
      client = opened.client;
      release = trackConnection(opened.profileId, 'imap-idle');
      if (this.stopped) return;
      this.client = client;
      openedAt = Date.now();
      if (this.lastUidNext > 0 && opened.uidNext > this.lastUidNext) this.wake();
      this.lastUidNext = opened.uidNext;
      client.on('exists', (event: { count: number; prevCount: number }) => {
        if (event.count > event.prevCount) this.wake();
      });
      // idle() returns when IDLE is re-issued (maxIdleTime) or the connection ends.
      while (!this.stopped && client.usable) await client.idle();
    } catch (error) {
      this.env.logger?.debug(
        { mailboxId: this.mailboxId, failures: this.failures + 1, err: describe(error) },
        'IDLE connection failed; polling continues',
      );
    } finally {
      this.client = undefined;
      client?.close();
      release?.();
      // A connection that held for a while was a success; one that failed or
      // dropped at once counts as a failure, so a server that accepts and
      // then hangs up is not hammered.
      this.failures = openedAt > 0 && Date.now() - openedAt >= STABLE_SESSION_MS ? 0 : this.failures + 1;
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = reconnectDelayMs(this.failures, this.env.policy, this.env.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, delay);
    this.retryTimer.unref();
  }

  /** One wake-up request at a time per mailbox; news during one makes one more. */
  private wake(): void {
    if (this.waking) {
      this.wakeAgain = true;
      return;
    }
    this.waking = true;
    this.env
      .wake(this.mailboxId)
      .catch((error: unknown) => {
        // The next poll finds the mail anyway.
        this.env.logger?.warn({ mailboxId: this.mailboxId, err: describe(error) }, 'IDLE wake-up failed');
      })
      .finally(() => {
        this.waking = false;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }
}

/** An error as a log field: message and code only (imapflow errors can carry server replies, never passwords). */
function describe(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error).slice(0, 200) };
  const code = (error as { code?: unknown }).code;
  return { message: error.message.slice(0, 200), ...(typeof code === 'string' ? { code } : {}) };
}
