/**
 * Runs incoming cycles for one worker: claims due mailboxes and keeps at most
 * `concurrency` cycles going, claiming the next as soon as one finishes, so a
 * slow or failing mailbox never holds the others up. Any number of workers
 * run this against one database; the leases keep them apart.
 */
import { claimDue, type Lease } from '../scheduler.js';
import { DEFAULT_LEASE_MS, runIncomingCycle, type CycleOutcome, type IncomingDependencies } from './cycle.js';

export interface IncomingSyncOptions extends IncomingDependencies {
  readonly workerId: string;
  /** cycles run at once by this worker */
  readonly concurrency?: number;
}

/** No POP3 source exists yet; such mailboxes are left for it rather than failed. */
const UNSUPPORTED_PROFILE_TYPES = ['pop3-smtp'] as const;

export class IncomingSync {
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly options: IncomingSyncOptions) {}

  get workerId(): string {
    return this.options.workerId;
  }

  /** Runs due cycles until none is due; resolves with how many ran. */
  async runDue(): Promise<number> {
    const concurrency = Math.max(1, this.options.concurrency ?? 4);
    let ran = 0;
    while (!this.stopping) {
      const free = concurrency - this.running.size;
      const leases = free > 0 ? await this.claim(free) : [];
      for (const lease of leases) {
        ran += 1;
        this.track(this.run(lease));
      }
      if (this.running.size === 0) break;
      // Wait for a slot (or for the running cycles, when nothing else is due).
      await Promise.race(this.running);
    }
    await this.idle();
    return ran;
  }

  /**
   * Runs one mailbox now, due or not ("sync now", tests). Undefined when it
   * cannot be claimed: not eligible, or another worker holds its lease.
   */
  async runMailbox(mailboxId: string): Promise<CycleOutcome | undefined> {
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
    return claimDue(this.options.db, {
      channel: 'incoming',
      workerId: this.options.workerId,
      limit,
      leaseMs: this.options.leaseMs ?? DEFAULT_LEASE_MS,
      excludeServerTypes: UNSUPPORTED_PROFILE_TYPES,
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

  private async run(lease: Lease): Promise<CycleOutcome | undefined> {
    if (lease.takenOver) {
      this.options.logger?.warn(
        { mailboxId: lease.mailboxId, token: lease.token },
        'took over an expired incoming lease',
      );
    }
    try {
      return await runIncomingCycle(this.options, lease, { shouldStop: () => this.stopping });
    } catch (error) {
      // Recording the outcome failed (the database went away): the lease
      // expires and a later claim retries the mailbox. Nothing was half-written.
      this.options.logger?.error(
        { err: error, mailboxId: lease.mailboxId },
        'incoming cycle could not be recorded',
      );
      return undefined;
    }
  }
}
