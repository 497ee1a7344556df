/**
 * What the pipeline's modules share: the context of one folder sync and the
 * counts of what it did.
 */
import type { Db } from '../../db/connection.js';
import type { OwnedRef } from '../../diagnostics/alerts.js';
import type { Lease } from '../scheduler.js';
import type { OwnerColumns, QueueRef } from './email-writer.js';
import type { CorrelationSettings } from './correlation.js';
import type { InternalSettings } from './internal-email.js';
import type { OwnerAuthority } from './owner-authority.js';
import type { EmailParser } from './parse-pool.js';
import type { Acceptor } from './tracking-filter.js';

/** The organization settings that decide what becomes of an incoming email. */
export interface IncomingSettings {
  readonly correlation: CorrelationSettings;
  readonly internal: InternalSettings;
  readonly autoCreateContacts: boolean;
}

export interface PipelineHooks {
  /**
   * Called inside the batch transaction after each message's writes, with how
   * many messages this cycle has written so far. Throwing rolls the batch
   * back: tests use it to stand in for a worker that dies mid-batch.
   */
  afterMessage?(progress: { readonly uid: number; readonly written: number }): void | Promise<void>;
}

export interface PipelineContext {
  readonly db: Db;
  readonly lease: Lease;
  readonly leaseMs: number;
  readonly mailbox: OwnedRef;
  readonly profile: OwnedRef | null;
  readonly authority: OwnerAuthority;
  /** the records' owner: the mailbox owner */
  readonly owner: OwnerColumns;
  /** set for a queue mailbox: every email it receives becomes an item of this queue */
  readonly queue: QueueRef | null;
  /** the user or queue the mailbox belongs to, with its tracking filter; null for a forward mailbox */
  readonly receiving: Acceptor | null;
  /** a forward mailbox: messages carry the original email as an attachment */
  readonly forwardMailbox: boolean;
  /** where messages are parsed (parse-pool.ts); on the calling thread when absent */
  readonly parser?: EmailParser | undefined;
  readonly settings: IncomingSettings;
  readonly watermark: Date | null;
  readonly sizeLimitKb: number;
  readonly attachmentLimitBytes: number;
  readonly batchMessages: number;
  readonly batchBytes: number;
  /** failed items retried per cycle */
  readonly retriesPerCycle: number;
  /** when the cycle started: items that failed in this cycle wait for the next one */
  readonly startedAt: Date;
  readonly hooks?: PipelineHooks | undefined;
  /** checked between batches: a stopping worker ends the cycle after the batch in flight */
  readonly shouldStop?: () => boolean;
  /** counts of committed work, added to as each transaction commits (kept when a later batch fails) */
  readonly stats: PipelineStats;
}

export interface PipelineStats {
  seen: number;
  created: number;
  associated: number;
  failed: number;
  parked: number;
  skipped: number;
  /** messages no recipient tracks, or internal email the organization does not track (ledger: skipped, D1/D2/D4) */
  notTracked: number;
}

export function emptyStats(): PipelineStats {
  return { seen: 0, created: 0, associated: 0, failed: 0, parked: 0, skipped: 0, notTracked: 0 };
}

export function addStats(into: PipelineStats, from: PipelineStats): void {
  for (const key of Object.keys(into) as (keyof PipelineStats)[]) into[key] += from[key];
}
