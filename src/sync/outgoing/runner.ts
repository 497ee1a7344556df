/**
 * Runs outgoing cycles for one worker, like the incoming runner: claims due
 * mailboxes on the 'outgoing' channel and keeps at most `concurrency` cycles
 * going. A send request makes its mailbox due at once (send-request.ts), so
 * email goes out within one worker tick.
 */
import { claimDue, type Lease } from '../scheduler.js';
import {
  DEFAULT_LEASE_MS,
  runOutgoingCycle,
  type OutgoingCycleOutcome,
  type OutgoingDependencies,
} from './cycle.js';

export interface OutgoingSyncOptions extends OutgoingDependencies {
  readonly workerId: string;
  readonly concurrency?: number;
}

export class OutgoingSync {
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly options: OutgoingSyncOptions) {}

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
      await Promise.race(this.running);
    }
    await this.idle();
    return ran;
  }

  /** Runs one mailbox now, due or not; undefined when it cannot be claimed. */
  async runMailbox(mailboxId: string): Promise<OutgoingCycleOutcome | undefined> {
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
      channel: 'outgoing',
      workerId: this.options.workerId,
      limit,
      leaseMs: this.options.leaseMs ?? DEFAULT_LEASE_MS,
      // CalDAV/CardDAV profiles have no SMTP server; the preconditions would fail them forever.
      excludeServerTypes: ['caldav-carddav'],
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

  private async run(lease: Lease): Promise<OutgoingCycleOutcome | undefined> {
    if (lease.takenOver) {
      this.options.logger?.warn(
        { mailboxId: lease.mailboxId, token: lease.token },
        'took over an expired outgoing lease',
      );
    }
    try {
      return await runOutgoingCycle(this.options, lease, { shouldStop: () => this.stopping });
    } catch (error) {
      this.options.logger?.error(
        { err: error, mailboxId: lease.mailboxId },
        'outgoing cycle could not be recorded',
      );
      return undefined;
    }
  }
}
