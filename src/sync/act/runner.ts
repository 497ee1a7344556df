/**
 * Runs ACT cycles for one worker: claims due mailboxes on the 'act' channel
 * (CalDAV/CardDAV profiles only) and keeps at most `concurrency` cycles going.
 */
import { claimDue, type Lease } from '../scheduler.js';
import { DEFAULT_ACT_LEASE_MS, runActCycle, type ActCycleOutcome, type ActDependencies } from './cycle.js';

export interface ActSyncOptions extends ActDependencies {
  readonly workerId: string;
  readonly concurrency?: number;
}

export class ActSync {
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly options: ActSyncOptions) {}

  async runDue(): Promise<number> {
    const concurrency = Math.max(1, this.options.concurrency ?? 2);
    let ran = 0;
    while (!this.stopping) {
      const free = concurrency - this.running.size;
      const leases = free > 0 ? await this.claim(free) : [];
      for (const lease of leases) {
        ran += 1;
        this.track(this.run(lease));
      }
      if (this.running.size === 0) break;
      await Promise.race(this.running);
    }
    await this.idle();
    return ran;
  }

  /** Runs one mailbox now, due or not; undefined when it cannot be claimed. */
  async runMailbox(mailboxId: string): Promise<ActCycleOutcome | undefined> {
    const [lease] = await this.claim(1, mailboxId);
    if (!lease) return undefined;
    const outcome = this.run(lease);
    this.track(outcome);
    return outcome;
  }

  stop(): void {
    this.stopping = true;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private claim(limit: number, mailboxId?: string): Promise<Lease[]> {
    return claimDue(this.options.db, {
      channel: 'act',
      workerId: this.options.workerId,
      limit,
      leaseMs: this.options.leaseMs ?? DEFAULT_ACT_LEASE_MS,
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

  private async run(lease: Lease): Promise<ActCycleOutcome | undefined> {
    try {
      return await runActCycle(this.options, lease, { shouldStop: () => this.stopping });
    } catch (error) {
      this.options.logger?.error(
        { err: error, mailboxId: lease.mailboxId },
        'ACT cycle could not be recorded',
      );
      return undefined;
    }
  }
}
