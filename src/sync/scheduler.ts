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
import { withinProfileLimits, type LimitCandidate } from './connection-limit.js';
import { notifyDue } from './notify.js';

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
 * When a channel is due, as one ordered key: no due time means "at once" and
 * sorts first. The expression is the key of migration 0014's claim index,
 * character for character, so the claim walks that index in order and stops
 * after `limit` rows instead of reading and sorting every mailbox. Whatever
 * makes a channel due sets its due time (Test & Enable, wake-ups, a released
 * lease), so this is the only test of "due".
 */
function dueKey(channel: SyncChannel): RawBuilder<unknown> {
  return sql`COALESCE(${col(channel, 'due_at')}, '-infinity'::timestamptz)`;
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
 *
 * The profile's limit on concurrent connections holds across all workers
 * (connection-limit.ts): candidates whose profile is visibly full are left out
 * at once; then, under a transaction-scoped advisory lock per profile (taken
 * in a fixed order, so claims never deadlock), the profile's live leases are
 * counted again in a fresh statement, which sees every claim committed by
 * another worker that held the lock before, and only what fits is claimed.
 */
export async function claimDue(db: Executor, options: ClaimOptions): Promise<Lease[]> {
  return db.transaction().execute(async (trx) => {
    const candidates = await lockCandidates(trx, options);
    if (candidates.length === 0) return [];
    const profileIds = [...new Set(candidates.flatMap((c) => (c.profileId === null ? [] : [c.profileId])))];
    for (const profileId of profileIds.sort()) {
      await sql`SELECT pg_advisory_xact_lock(${PROFILE_LOCK_CLASS}, hashtext(${profileId}))`.execute(trx);
    }
    const chosen = withinProfileLimits(candidates, await connectionsInUse(trx, profileIds));
    if (chosen.length === 0) return [];
    return takeLeases(trx, options, chosen);
  });
}

/** The first key of the per-profile advisory locks: "Mailroom profile connections". */
const PROFILE_LOCK_CLASS = 0x4d52_5043;

const CHANNELS = ['incoming', 'outgoing', 'act'] as const;

/** One row per live lease of any channel: its mailbox's profile. */
function liveLeases(profileFilter: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql.join(
    CHANNELS.map(
      (channel) => sql`SELECT m.email_server_profile_id AS profile_id FROM mailboxes m
        WHERE ${col(channel, 'lease_owner')} IS NOT NULL AND ${col(channel, 'lease_expires_at')} > now()
          AND ${profileFilter}`,
    ),
    sql` UNION ALL `,
  );
}

interface Candidate extends LimitCandidate {
  readonly previousOwner: string | null;
}

interface CandidateRow {
  id: string;
  profileId: string | null;
  maxConnections: number | null;
  previousOwner: string | null;
}

/**
 * The claim's first statement: the channels to lease, in due order, locked.
 * Exported so that the poll-capacity benchmark can show its plan.
 */
export function candidatesQuery(options: ClaimOptions): RawBuilder<CandidateRow> {
  const { channel } = options;
  const excluded = options.excludeServerTypes ?? [];
  return sql<CandidateRow>`
    WITH usage AS (
      SELECT profile_id, count(*) AS used
      FROM (${liveLeases(sql`m.email_server_profile_id IS NOT NULL`)}) live
      GROUP BY profile_id
    )
    SELECT m.id, m.email_server_profile_id AS profile_id, p.max_concurrent_connections AS max_connections,
      ${col(channel, 'lease_owner')} AS previous_owner
    FROM mailboxes m
    LEFT JOIN email_server_profiles p ON p.id = m.email_server_profile_id
    LEFT JOIN usage u ON u.profile_id = m.email_server_profile_id
    WHERE m.state = 'active'
      AND ${col(channel, 'enabled')}
      AND ${col(channel, 'method')} <> 'none'
      AND ${col(channel, 'status')} <> 'notRun'
      AND (${col(channel, 'lease_expires_at')} IS NULL OR ${col(channel, 'lease_expires_at')} <= now())
      ${options.mailboxId === undefined ? sql`AND ${dueKey(channel)} <= now()` : sql`AND m.id = ${options.mailboxId}`}
      AND (p.id IS NULL OR COALESCE(u.used, 0) < p.max_concurrent_connections)
      ${excluded.length === 0 ? sql`` : sql`AND (p.id IS NULL OR p.server_type NOT IN (${sql.join(excluded)}))`}
    ORDER BY ${dueKey(channel)}, m.id
    LIMIT ${options.limit}
    FOR UPDATE OF m SKIP LOCKED
  `;
}

async function lockCandidates(db: Executor, options: ClaimOptions): Promise<Candidate[]> {
  const result = await candidatesQuery(options).execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    profileId: row.profileId,
    maxConnections: row.maxConnections === null ? null : Number(row.maxConnections),
    previousOwner: row.previousOwner,
  }));
}

async function connectionsInUse(db: Executor, profileIds: readonly string[]): Promise<Map<string, number>> {
  if (profileIds.length === 0) return new Map();
  const result = await sql<{ profileId: string; used: number | string }>`
    SELECT profile_id, count(*) AS used
    FROM (${liveLeases(sql`m.email_server_profile_id IN (${sql.join([...profileIds])})`)}) live
    GROUP BY profile_id
  `.execute(db);
  return new Map(result.rows.map((row) => [row.profileId, Number(row.used)]));
}

async function takeLeases(
  db: Executor,
  options: ClaimOptions,
  chosen: readonly LimitCandidate[],
): Promise<Lease[]> {
  const { channel } = options;
  const result = await sql<{ id: string; token: number | string }>`
    UPDATE mailboxes m
    SET ${sql.raw(`${channel}_lease_owner`)} = ${options.workerId},
        ${sql.raw(`${channel}_lease_expires_at`)} = now() + ${interval(options.leaseMs)},
        ${sql.raw(`${channel}_lease_token`)} = ${col(channel, 'lease_token')} + 1,
        ${sql.raw(`${channel}_wake_claimed`)} = ${col(channel, 'wake_requested')}
    WHERE m.id IN (${sql.join(chosen.map((candidate) => candidate.id))})
    RETURNING m.id AS id, ${col(channel, 'lease_token')} AS token
  `.execute(db);
  const tokens = new Map(result.rows.map((row) => [row.id, Number(row.token)]));
  return (chosen as readonly Candidate[]).flatMap((candidate) => {
    const token = tokens.get(candidate.id);
    if (token === undefined) return [];
    return [
      {
        mailboxId: candidate.id,
        channel,
        owner: options.workerId,
        token,
        takenOver: candidate.previousOwner !== null,
      },
    ];
  });
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
      // A wake-up request that arrived during the cycle (IDLE saw new mail, an
      // email was queued) may not have been seen by it: due again at once.
      [c.dueAt]: sql<Date | null>`CASE WHEN ${sql.raw(`${lease.channel}_wake_requested`)} > ${sql.raw(
        `${lease.channel}_wake_claimed`,
      )} THEN now() ELSE ${update.dueAt}::timestamptz END`,
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
  const finished = Number(result.numUpdatedRows) === 1;
  // Due now (more to do, or stopped early for a shutdown): another worker may start it at once.
  if (finished && (update.dueAt === null || update.dueAt.getTime() <= Date.now())) {
    await notifyDue(db, lease.channel);
  }
  return finished;
}

/**
 * Gives a lease up without recording a cycle, due again at once (graceful
 * shutdown), and tells the other workers so one of them carries on now.
 */
export async function releaseLease(db: Executor, lease: Lease): Promise<boolean> {
  const c = SCHEDULE_COLUMNS[lease.channel];
  const result = await db
    .updateTable('mailboxes')
    .set({ [c.leaseOwner]: null, [c.leaseExpiresAt]: null, [c.dueAt]: null })
    .where('id', '=', lease.mailboxId)
    .where(c.leaseToken, '=', lease.token)
    .where(c.leaseOwner, '=', lease.owner)
    .executeTakeFirst();
  const released = Number(result.numUpdatedRows) === 1;
  if (released) await notifyDue(db, lease.channel);
  return released;
}
