/**
 * A worker's IMAP IDLE watchers. Every round (20 s by default) it renews the
 * worker's watch leases, stops the watchers of mailboxes it no longer holds
 * (no longer eligible, or taken over), restarts those whose connection
 * settings changed, and claims more mailboxes up to its capacity. Stopping
 * closes every connection and gives the leases up, so another worker takes
 * the mailboxes over at its next round instead of after the lease expiry.
 *
 * New mail seen by a watcher makes the mailbox's incoming channel due now and
 * notifies the workers (notify.ts); the normal polling schedule continues
 * underneath, so IDLE only ever makes mail arrive sooner.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/connection.js';
import type { TlsTrust } from '../../mailboxes/connection-settings.js';
import type { SecretBox } from '../../security/secrets.js';
import { requestCycle } from '../notify.js';
import { IDLE_RECONNECT_POLICY, type ReconnectPolicy } from './backoff.js';
import { imapIdleConnect, type IdleConnect } from './connect.js';
import { claimWatches, releaseWatches, renewWatches } from './watch-leases.js';
import { IdleWatcher, type WatcherEnvironment } from './watcher.js';

export interface IdleSupervisorOptions {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly trust: TlsTrust;
  readonly workerId: string;
  readonly logger?: Logger | undefined;
  /** most mailboxes this worker watches (default 1000) */
  readonly maxWatches?: number;
  /** most mailboxes claimed per round, so workers starting together share them (default 250) */
  readonly claimPerRound?: number;
  /** time between rounds (default 20 s) */
  readonly roundMs?: number;
  /** how long a watch lease lasts without renewal (default 3 rounds) */
  readonly leaseMs?: number;
  /** connections being opened at once (default 16) */
  readonly connectConcurrency?: number;
  readonly reconnect?: ReconnectPolicy;
  /** how a watcher connects; IMAP by default (tests and benchmarks may substitute) */
  readonly connect?: IdleConnect;
}

export class IdleSupervisor {
  private readonly watchers = new Map<string, IdleWatcher>();
  private readonly env: WatcherEnvironment;
  private readonly logger: Logger | undefined;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: IdleSupervisorOptions) {
    this.logger = options.logger?.child({ component: 'idle', workerId: options.workerId });
    this.env = {
      connect: options.connect ?? imapIdleConnect(options),
      wake: (mailboxId) => requestCycle(options.db, mailboxId, 'incoming'),
      gate: gate(options.connectConcurrency ?? 16),
      policy: options.reconnect ?? IDLE_RECONNECT_POLICY,
      logger: this.logger,
    };
  }

  /** mailboxes watched by this worker */
  get watching(): number {
    return this.watchers.size;
  }

  /** watchers whose connection is up right now */
  get connected(): number {
    let count = 0;
    for (const watcher of this.watchers.values()) if (watcher.connected) count += 1;
    return count;
  }

  isWatching(mailboxId: string): boolean {
    return this.watchers.has(mailboxId);
  }

  start(): void {
    if (this.stopped || this.timer || this.current) return;
    this.schedule(0);
  }

  /** One round now (also what the timer runs); rounds never overlap. */
  async round(): Promise<void> {
    if (this.current) return this.current;
    this.current = this.runRound().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
    const watchers = [...this.watchers.values()];
    this.watchers.clear();
    await Promise.all(watchers.map((watcher) => watcher.stop()));
    try {
      await releaseWatches(this.options.db, this.options.workerId);
    } catch (error) {
      this.logger?.warn({ err: error }, 'could not give up the IDLE leases; they expire on their own');
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round().finally(() => this.schedule(this.roundMs));
    }, delayMs);
  }

  private get roundMs(): number {
    return this.options.roundMs ?? 20_000;
  }

  private async runRound(): Promise<void> {
    if (this.stopped) return;
    const { db, workerId } = this.options;
    const leaseMs = this.options.leaseMs ?? this.roundMs * 3;
    try {
      const held = new Map(
        (await renewWatches(db, workerId, leaseMs)).map((lease) => [lease.mailboxId, lease.fingerprint]),
      );
      const retired: IdleWatcher[] = [];
      for (const [mailboxId, watcher] of [...this.watchers]) {
        const fingerprint = held.get(mailboxId);
        if (fingerprint === watcher.fingerprint) continue;
        retired.push(watcher);
        this.watchers.delete(mailboxId);
        // Same mailbox, new settings (password, server): reconnect with them.
        if (fingerprint !== undefined) this.add(mailboxId, fingerprint);
      }
      // Leases held without a watcher (this worker restarted with the same id) are picked up too.
      for (const [mailboxId, fingerprint] of held) {
        if (!this.watchers.has(mailboxId)) this.add(mailboxId, fingerprint);
      }
      await Promise.all(retired.map((watcher) => watcher.stop()));
      if (this.stopped) return;
      const room = (this.options.maxWatches ?? 1000) - this.watchers.size;
      const claimed = await claimWatches(db, {
        owner: workerId,
        limit: Math.min(room, this.options.claimPerRound ?? 250),
        leaseMs,
      });
      for (const lease of claimed) this.add(lease.mailboxId, lease.fingerprint);
      if (claimed.length > 0 || retired.length > 0) {
        this.logger?.info(
          { watching: this.watchers.size, claimed: claimed.length, stopped: retired.length },
          'IDLE watchers changed',
        );
      }
    } catch (error) {
      // The database is away: running watchers carry on; leases may expire and
      // be taken over, which the next successful renewal notices.
      this.logger?.warn({ err: error }, 'IDLE round failed');
    }
  }

  private add(mailboxId: string, fingerprint: number): void {
    if (this.stopped) return;
    const watcher = new IdleWatcher(mailboxId, fingerprint, this.env);
    this.watchers.set(mailboxId, watcher);
    watcher.start();
  }
}

/** At most `limit` of the given tasks run at once; the others wait their turn. */
function gate(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next in line.
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active += 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
