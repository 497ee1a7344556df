/**
 * Mailbox channel leases: which worker runs which mailbox channel now.
 *
 * A worker claims due channels with `FOR UPDATE SKIP LOCKED`, so any number
 * of workers (in one process or many) claim at the same time without waiting
 * for each other or taking the same mailbox. A claim is a lease: an owner, an
 * expiry and a fencing token that goes up by one with every claim. The worker
 * renews the lease while it works; if it dies, the lease expires and the next
 * claim takes the channel over. Every transaction of a cycle starts with
 * `fence`, which renews the lease only if the token is still the one claimed:
 * a worker that lost its lease (it stalled, another took over) cannot commit.
 *
 * Lease times come from the database clock (`now()`), so workers on machines
 * with skewed clocks still agree on who holds a lease. Due times are computed
 * by the worker (see due-time.ts); skew there only shifts a schedule.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/connection.js';
import type { ChannelCycleStats, RowUpdate, ServerType } from '../db/schema.js';
import type { SyncChannel } from '../security/sync-requirements.js';
export { nextDueAt, failureVerdict, DEFAULT_SCHEDULE_POLICY, type SchedulePolicy } from './due-time.js';

/** The database or a transaction on it. */
type Executor = Db;

export interface Lease {
  readonly mailboxId: string;
  readonly channel: SyncChannel;
  readonly owner: string;
  /** the fencing token of this claim */
  readonly token: number;
  /** the previous holder's lease had expired: it died or stalled */
  readonly takenOver: boolean;
}

export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly lease: Lease) {
    super(
      `The ${lease.channel} lease on mailbox ${lease.mailboxId} (token ${lease.token}) is no longer held by ${lease.owner}`,
    );
  }
}

/** Kysely's camelCase names of one channel's scheduling columns. */
export const SCHEDULE_COLUMNS = {
  incoming: {
    dueAt: 'incomingDueAt',
    leaseOwner: 'incomingLeaseOwner',
    leaseExpiresAt: 'incomingLeaseExpiresAt',
    leaseToken: 'incomingLeaseToken',
    failureCount: 'incomingFailureCount',
    quietCycles: 'incomingQuietCycles',
    lastCycle: 'incomingLastCycle',
  },
  outgoing: {
    dueAt: 'outgoingDueAt',
    leaseOwner: 'outgoingLeaseOwner',
    leaseExpiresAt: 'outgoingLeaseExpiresAt',
    leaseToken: 'outgoingLeaseToken',
    failureCount: 'outgoingFailureCount',
    quietCycles: 'outgoingQuietCycles',
    lastCycle: 'outgoingLastCycle',
  },
  act: {
    dueAt: 'actDueAt',
    leaseOwner: 'actLeaseOwner',
    leaseExpiresAt: 'actLeaseExpiresAt',
    leaseToken: 'actLeaseToken',
    failureCount: 'actFailureCount',
    quietCycles: 'actQuietCycles',
    lastCycle: 'actLastCycle',
  },
} as const;

/** Column names in SQL; `channel` is one of three fixed words, never user input. */
function col(channel: SyncChannel, name: string): RawBuilder<unknown> {
  return sql.raw(`m.${channel}_${name}`);
}

function interval(ms: number): RawBuilder<unknown> {
  return sql`(${Math.max(1, Math.round(ms))} * interval '1 millisecond')`;
}

/**
 * Due: the due time has come, or Test & Enable completed after the last
 * cycle (an admin fixed something and tested: try now, not after the backoff).
 */
function due(channel: SyncChannel): RawBuilder<unknown> {
  return sql`${col(channel, 'due_at')} IS NULL
    OR ${col(channel, 'due_at')} <= now()
    OR m.test_completed_at > COALESCE((${col(channel, 'last_cycle')} ->> 'finishedAt')::timestamptz, '-infinity')`;
}

export interface ClaimOptions {
  readonly channel: SyncChannel;
  readonly workerId: string;
  readonly limit: number;
  readonly leaseMs: number;
  /** claim this mailbox only, due or not (still never one whose lease is held) */
  readonly mailboxId?: string;
  /** leave mailboxes whose profile is of these types alone (no source for them yet) */
  readonly excludeServerTypes?: readonly ServerType[];
}

/**
 * Claims up to `limit` due channels. Eligible: an active mailbox whose channel
 * is set to a method, enabled, and has been through Test & Enable (status not
 * "not run"). A channel whose last test or cycle failed transiently is still
 * enabled (a permanent failure disables it), so it keeps being retried here.
 */
export async function claimDue(db: Executor, options: ClaimOptions): Promise<Lease[]> {
  const { channel } = options;
  const excluded = options.excludeServerTypes ?? [];
  const result = await sql<{ id: string; token: number | string; previousOwner: string | null }>`
    WITH candidates AS (
      SELECT m.id, ${col(channel, 'lease_owner')} AS previous_owner
      FROM mailboxes m
      WHERE m.state = 'active'
        AND ${col(channel, 'enabled')}
        AND ${col(channel, 'method')} <> 'none'
        AND ${col(channel, 'status')} <> 'notRun'
        AND (${col(channel, 'lease_expires_at')} IS NULL OR ${col(channel, 'lease_expires_at')} <= now())
        ${options.mailboxId === undefined ? sql`AND (${due(channel)})` : sql`AND m.id = ${options.mailboxId}`}
        ${
          excluded.length === 0
            ? sql``
            : sql`AND NOT EXISTS (SELECT 1 FROM email_server_profiles p
                   WHERE p.id = m.email_server_profile_id AND p.server_type IN (${sql.join(excluded)}))`
        }
      ORDER BY ${col(channel, 'due_at')} NULLS FIRST, m.id
      LIMIT ${options.limit}
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE mailboxes m
    SET ${sql.raw(`${channel}_lease_owner`)} = ${options.workerId},
        ${sql.raw(`${channel}_lease_expires_at`)} = now() + ${interval(options.leaseMs)},
        ${sql.raw(`${channel}_lease_token`)} = ${col(channel, 'lease_token')} + 1
    FROM candidates c
    WHERE m.id = c.id
    RETURNING m.id AS id, ${col(channel, 'lease_token')} AS token, c.previous_owner AS previous_owner
  `.execute(db);
  return result.rows.map((row) => ({
    mailboxId: row.id,
    channel,
    owner: options.workerId,
    token: Number(row.token),
    takenOver: row.previousOwner !== null,
  }));
}

/**
 * Extends the lease if it is still ours; false when it was lost. Inside a
 * transaction this also locks the mailbox row until commit, so a takeover
 * cannot slip in between this check and the commit.
 */
export async function renewLease(db: Executor, lease: Lease, leaseMs: number): Promise<boolean> {
  const result = await sql<{ id: string }>`
    UPDATE mailboxes m
    SET ${sql.raw(`${lease.channel}_lease_expires_at`)} = now() + ${interval(leaseMs)}
    WHERE m.id = ${lease.mailboxId}
      AND ${col(lease.channel, 'lease_token')} = ${lease.token}
      AND ${col(lease.channel, 'lease_owner')} = ${lease.owner}
    RETURNING m.id AS id
  `.execute(db);
  return result.rows.length === 1;
}

/** The first statement of every write transaction of a cycle: throws when the lease was lost. */
export async function fence(trx: Executor, lease: Lease, leaseMs: number): Promise<void> {
  if (!(await renewLease(trx, lease, leaseMs))) throw new LeaseLostError(lease);
}

export interface ScheduleUpdate {
  readonly dueAt: Date | null;
  readonly failureCount: number;
  readonly quietCycles: number;
  readonly lastCycle: ChannelCycleStats | null;
  /** other mailbox columns to set in the same statement (status, enabled, last sync fields) */
  readonly mailbox?: RowUpdate<'mailboxes'>;
}

/**
 * Ends a cycle: records the schedule and outcome and gives the lease up, in
 * one statement guarded by the fencing token. False when the lease was lost
 * (the new holder's cycle decides the schedule then).
 */
export async function finishLease(db: Executor, lease: Lease, update: ScheduleUpdate): Promise<boolean> {
  const c = SCHEDULE_COLUMNS[lease.channel];
  const result = await db
    .updateTable('mailboxes')
    .set({
      ...update.mailbox,
      [c.dueAt]: update.dueAt,
      [c.failureCount]: update.failureCount,
      [c.quietCycles]: update.quietCycles,
      [c.lastCycle]: update.lastCycle === null ? null : JSON.stringify(update.lastCycle),
      [c.leaseOwner]: null,
      [c.leaseExpiresAt]: null,
    })
    .where('id', '=', lease.mailboxId)
    .where(c.leaseToken, '=', lease.token)
    .where(c.leaseOwner, '=', lease.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a lease up without recording a cycle, due again at once (graceful shutdown). */
export async function releaseLease(db: Executor, lease: Lease): Promise<boolean> {
  const c = SCHEDULE_COLUMNS[lease.channel];
  const result = await db
    .updateTable('mailboxes')
    .set({ [c.leaseOwner]: null, [c.leaseExpiresAt]: null, [c.dueAt]: null })
    .where('id', '=', lease.mailboxId)
    .where(c.leaseToken, '=', lease.token)
    .where(c.leaseOwner, '=', lease.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
