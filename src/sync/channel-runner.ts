/**
 * Runs the cycles of one sync channel for one worker: claims due mailboxes and
 * keeps at most `concurrency` cycles going, claiming the next as soon as one
 * finishes, so a slow or failing mailbox never holds the others up. Any number
 * of workers run this against one database; the leases keep them apart.
 *
 * The incoming, outgoing and ACT runners are this class with their channel,
 * defaults and per-mailbox cycle function (see `ChannelDefinition`).
 */
import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';
import type { ServerType } from '../db/schema.js';
import type { SyncChannel } from '../security/sync-requirements.js';
import { claimDue, type Lease } from './scheduler.js';

/** What every channel's dependencies provide to the runner. */
export interface ChannelRunnerDependencies {
  readonly db: Db;
  readonly logger?: Logger | undefined;
  /** how long a claim lasts without renewal */
  readonly leaseMs?: number | undefined;
}

export interface ChannelRunnerOptions {
  readonly workerId: string;
  /** cycles run at once by this worker */
  readonly concurrency?: number;
}

export type ChannelCycle<TDeps, TOutcome> = (
  deps: TDeps,
  lease: Lease,
  options: { shouldStop?: () => boolean },
) => Promise<TOutcome>;

export interface ChannelDefinition<TDeps, TOutcome> {
  readonly channel: SyncChannel;
  /** how log messages name the channel ("incoming", "ACT"…) */
  readonly label: string;
  readonly defaultConcurrency: number;
  readonly defaultLeaseMs: number;
  /** leave mailboxes whose profile is of these types alone (no source for them) */
  readonly excludeServerTypes?: readonly ServerType[];
  /** log a warning when a claim takes over the expired lease of another worker */
  readonly warnOnTakeover: boolean;
  /** one cycle of one mailbox under the claimed lease */
  readonly runCycle: ChannelCycle<TDeps, TOutcome>;
}

export class ChannelRunner<TDeps extends ChannelRunnerDependencies, TOutcome> {
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;
  private poked = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly definition: ChannelDefinition<TDeps, TOutcome>,
    private readonly options: TDeps & ChannelRunnerOptions,
  ) {}

  get workerId(): string {
    return this.options.workerId;
  }

  /**
   * Runs due cycles until none is due; resolves with how many ran. While
   * cycles run, free slots are filled when one ends or when `poke` says that
   * something may have become due (a notification, the worker's poll), so a
   * long cycle never keeps new work waiting.
   */
  async runDue(): Promise<number> {
    const concurrency = Math.max(1, this.options.concurrency ?? this.definition.defaultConcurrency);
    let ran = 0;
    while (!this.stopping) {
      this.poked = false;
      const free = concurrency - this.running.size;
      const leases = free > 0 ? await this.claim(free) : [];
      for (const lease of leases) {
        ran += 1;
        this.track(this.run(lease));
      }
      if (this.poked) continue;
      if (this.running.size === 0) break;
      const poke = new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
      await Promise.race([...this.running, poke]);
      this.wakeUp = undefined;
    }
    await this.idle();
    return ran;
  }

  /** Something may be due: a running `runDue` claims again at once. */
  poke(): void {
    this.poked = true;
    this.wakeUp?.();
  }

  /**
   * Runs one mailbox now, due or not ("sync now", tests). Undefined when it
   * cannot be claimed: not eligible, or another worker holds its lease.
   */
  async runMailbox(mailboxId: string): Promise<TOutcome | undefined> {
    const [lease] = await this.claim(1, mailboxId);
    if (!lease) return undefined;
    const outcome = this.run(lease);
    this.track(outcome);
    return outcome;
  }

  /** Claims nothing more; running cycles stop after their current batch. */
  stop(): void {
    this.stopping = true;
  }

  /** Resolves when no cycle of this worker is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private claim(limit: number, mailboxId?: string): Promise<Lease[]> {
    const { channel, defaultLeaseMs, excludeServerTypes } = this.definition;
    return claimDue(this.options.db, {
      channel,
      workerId: this.options.workerId,
      limit,
      leaseMs: this.options.leaseMs ?? defaultLeaseMs,
      ...(excludeServerTypes === undefined ? {} : { excludeServerTypes }),
      ...(mailboxId === undefined ? {} : { mailboxId }),
    });
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
  }

  private async run(lease: Lease): Promise<TOutcome | undefined> {
    const { label } = this.definition;
    if (lease.takenOver && this.definition.warnOnTakeover) {
      this.options.logger?.warn(
        { mailboxId: lease.mailboxId, token: lease.token },
        `took over an expired ${label} lease`,
      );
    }
    try {
      return await this.definition.runCycle(this.options, lease, { shouldStop: () => this.stopping });
    } catch (error) {
      // Recording the outcome failed (the database went away): the lease
      // expires and a later claim retries the mailbox. Nothing was half-written.
      this.options.logger?.error(
        { err: error, mailboxId: lease.mailboxId },
        `${label} cycle could not be recorded`,
      );
      return undefined;
    }
  }
}
