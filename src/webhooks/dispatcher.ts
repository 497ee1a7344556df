/**
 * Delivers webhook events. Runs in every worker process; any number share the
 * work through the database:
 *
 * 1. Claim: one statement picks due deliveries with FOR UPDATE SKIP LOCKED,
 *    counts the attempt and pushes the delivery's next attempt past the
 *    claim window. No transaction stays open during the HTTP call; a worker
 *    that dies mid-call leaves the delivery to be claimed again once the
 *    window has passed (at-least-once: receivers deduplicate by event id).
 * 2. Send: POST of the JSON body, signed (signature.ts), 10 s timeout,
 *    redirects not followed.
 * 3. Record: 2xx → delivered; otherwise retried later (retry-policy.ts) until
 *    the attempt limit, then failed. The update checks the attempt count it
 *    claimed, so a late finisher cannot overwrite a newer attempt.
 *
 * A subscription disabled since the event was queued gets nothing: its
 * delivery is canceled (an administrator can still redeliver it).
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';
import type { WebhookEventType } from '../db/schema.js';
import { countWebhookDelivery } from '../observability/metrics.js';
import type { SecretBox } from '../security/secrets.js';
import { eventBody } from './events.js';
import {
  DEFAULT_RETRY_POLICY,
  deliveryVerdict,
  type AttemptResult,
  type RetryPolicy,
} from './retry-policy.js';
import {
  DELIVERY_ID_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
  TIMESTAMP_HEADER,
} from './signature.js';

export interface DispatcherDependencies {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly logger?: Logger | undefined;
}

export interface DispatcherOptions {
  /** how often to look for due deliveries when none were due */
  readonly pollMs?: number;
  /** deliveries claimed (and sent in parallel) per round */
  readonly batchSize?: number;
  readonly timeoutMs?: number;
  /** how long a claimed delivery stays out of other workers' reach */
  readonly claimMs?: number;
  readonly policy?: RetryPolicy;
  readonly random?: () => number;
  /** delivered events older than this are deleted */
  readonly retentionDays?: number;
  readonly userAgent?: string;
}

const DEFAULTS = {
  pollMs: 1000,
  batchSize: 20,
  timeoutMs: 10_000,
  claimMs: 60_000,
  retentionDays: 7,
  userAgent: 'Mailroom-Webhooks/1',
};

const CLEANUP_EVERY_MS = 60 * 60_000;
const MAX_ERROR_LENGTH = 500;

interface Claimed {
  readonly id: string;
  readonly eventId: string;
  readonly subscriptionId: string;
  readonly attempts: number;
}

async function claimDue(db: Db, limit: number, claimMs: number): Promise<Claimed[]> {
  const result = await sql<Claimed>`
    UPDATE webhook_deliveries d
    SET attempts = d.attempts + 1,
        last_attempt_at = now(),
        next_attempt_at = now() + (${Math.max(1, Math.round(claimMs))} * interval '1 millisecond'),
        updated_at = now()
    FROM (
      SELECT id FROM webhook_deliveries
      WHERE status = 'pending' AND next_attempt_at <= now()
      ORDER BY next_attempt_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) due
    WHERE d.id = due.id
    RETURNING d.id AS id, d.event_id AS "eventId", d.subscription_id AS "subscriptionId", d.attempts AS attempts
  `.execute(db);
  return result.rows.map((row) => ({ ...row, attempts: Number(row.attempts) }));
}

/** The network error's own words ("ECONNREFUSED"), not fetch's "fetch failed". */
function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const text =
    typeof cause?.code === 'string'
      ? `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`
      : error instanceof Error
        ? error.message
        : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body means nothing to Mailroom; let the connection go.
    await response.body?.cancel().catch(() => undefined);
    return { kind: 'response', statusCode: response.status };
  } catch (error) {
    return { kind: 'error', message: describeError(error, timeoutMs) };
  }
}

interface Target {
  readonly url: string;
  readonly enabled: boolean;
  readonly secretSealed: string;
  readonly event: { id: string; type: WebhookEventType; createdAt: Date; data: Record<string, unknown> };
}

async function loadTargets(db: Db, claimed: readonly Claimed[]): Promise<Map<string, Target>> {
  if (claimed.length === 0) return new Map();
  const rows = await db
    .selectFrom('webhookDeliveries as d')
    .innerJoin('webhookSubscriptions as s', 's.id', 'd.subscriptionId')
    .innerJoin('webhookEvents as e', 'e.id', 'd.eventId')
    .select([
      'd.id as deliveryId',
      's.url',
      's.enabled',
      's.secretSealed',
      'e.id as eventId',
      'e.type',
      'e.createdAt',
      'e.data',
    ])
    .where(
      'd.id',
      'in',
      claimed.map((c) => c.id),
    )
    .execute();
  return new Map(
    rows.map((row) => [
      row.deliveryId,
      {
        url: row.url,
        enabled: row.enabled,
        secretSealed: row.secretSealed,
        event: { id: row.eventId, type: row.type, createdAt: row.createdAt, data: row.data },
      },
    ]),
  );
}

type Outcome =
  | { readonly status: 'delivered'; readonly statusCode: number }
  | {
      readonly status: 'pending';
      readonly nextAttemptAt: Date;
      readonly statusCode: number | null;
      readonly error: string;
    }
  | { readonly status: 'failed'; readonly statusCode: number | null; readonly error: string }
  | { readonly status: 'canceled'; readonly error: string };

async function record(db: Db, claimed: Claimed, outcome: Outcome): Promise<void> {
  const now = new Date();
  await db
    .updateTable('webhookDeliveries')
    .set({
      status: outcome.status,
      updatedAt: now,
      ...(outcome.status === 'delivered'
        ? { deliveredAt: now, lastStatusCode: outcome.statusCode, lastError: null }
        : outcome.status === 'canceled'
          ? { lastError: outcome.error }
          : { lastStatusCode: outcome.statusCode, lastError: outcome.error }),
      ...(outcome.status === 'pending' ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
    })
    .where('id', '=', claimed.id)
    .where('attempts', '=', claimed.attempts)
    .where('status', '=', 'pending')
    .execute();
}

async function attempt(
  deps: DispatcherDependencies,
  options: Required<Omit<DispatcherOptions, 'random'>> & { random?: (() => number) | undefined },
  claimed: Claimed,
  target: Target | undefined,
): Promise<Outcome> {
  // Deleted meanwhile: the delivery row went with it (cascade); nothing to record.
  if (!target) return { status: 'canceled', error: 'the subscription or event no longer exists' };
  if (!target.enabled) return { status: 'canceled', error: 'the subscription is disabled' };
  let result: AttemptResult;
  try {
    const secret = deps.secrets.open(target.secretSealed);
    const body = JSON.stringify(eventBody(target.event));
    const timestamp = Math.floor(Date.now() / 1000);
    result = await post(
      target.url,
      {
        'content-type': 'application/json',
        'user-agent': options.userAgent,
        [EVENT_ID_HEADER]: target.event.id,
        [EVENT_TYPE_HEADER]: target.event.type,
        [DELIVERY_ID_HEADER]: claimed.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, body),
      },
      body,
      options.timeoutMs,
    );
  } catch (error) {
    // The secret cannot be opened (the key changed): as undeliverable as a refused connection.
    result = { kind: 'error', message: describeError(error, options.timeoutMs) };
  }
  const verdict = deliveryVerdict(result, claimed.attempts, options.policy, new Date(), options.random);
  const statusCode = result.kind === 'response' ? result.statusCode : null;
  const error = result.kind === 'response' ? `HTTP ${result.statusCode}` : result.message;
  if (verdict.status === 'delivered') return { status: 'delivered', statusCode: statusCode ?? 200 };
  if (verdict.status === 'failed') return { status: 'failed', statusCode, error };
  return { status: 'pending', nextAttemptAt: verdict.nextAttemptAt, statusCode, error };
}

function withDefaults(options: DispatcherOptions) {
  return {
    pollMs: options.pollMs ?? DEFAULTS.pollMs,
    batchSize: options.batchSize ?? DEFAULTS.batchSize,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    claimMs: options.claimMs ?? DEFAULTS.claimMs,
    policy: options.policy ?? DEFAULT_RETRY_POLICY,
    retentionDays: options.retentionDays ?? DEFAULTS.retentionDays,
    userAgent: options.userAgent ?? DEFAULTS.userAgent,
    random: options.random,
  };
}

/** One round: claims what is due, sends it, records the outcomes. Resolves with how many were attempted. */
export async function dispatchDue(
  deps: DispatcherDependencies,
  options: DispatcherOptions = {},
): Promise<number> {
  const settings = withDefaults(options);
  const claimed = await claimDue(deps.db, settings.batchSize, settings.claimMs);
  const targets = await loadTargets(deps.db, claimed);
  await Promise.all(
    claimed.map(async (delivery) => {
      const outcome = await attempt(deps, settings, delivery, targets.get(delivery.id));
      await record(deps.db, delivery, outcome);
      countWebhookDelivery(outcome.status === 'pending' ? 'retry' : outcome.status);
      if (outcome.status !== 'delivered') {
        // The URL is not logged: receivers sometimes carry a token in it.
        deps.logger?.warn(
          {
            deliveryId: delivery.id,
            subscriptionId: delivery.subscriptionId,
            eventId: delivery.eventId,
            attempts: delivery.attempts,
            status: outcome.status,
            ...(outcome.status === 'canceled' ? {} : { statusCode: outcome.statusCode }),
            error: outcome.error,
          },
          'webhook delivery not accepted',
        );
      }
    }),
  );
  return claimed.length;
}

/** Deletes old events whose deliveries are all settled (deliveries go with them). */
export async function pruneDeliveredEvents(db: Db, retentionDays: number): Promise<number> {
  const result = await sql`
    DELETE FROM webhook_events e
    WHERE e.created_at < now() - (${retentionDays} * interval '1 day')
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export interface WebhookDispatcher {
  /** a delivery is due now: runs a round at once (or right after the one in flight) */
  wake(): void;
  /** finishes the round in flight, then stops */
  stop(): Promise<void>;
}

export function startWebhookDispatcher(deps: DispatcherDependencies & DispatcherOptions): WebhookDispatcher {
  const settings = withDefaults(deps);
  const logger = deps.logger?.child({ component: 'webhook-dispatcher' });
  let stopping = false;
  let interrupt: (() => void) | undefined;
  // Set by a wake-up during a round, so the notification is not lost to the sleep after it.
  let wokenDuringRound = false;
  let lastCleanup = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = done;
    });

  const loop = async (): Promise<void> => {
    while (!stopping) {
      let attempted = 0;
      wokenDuringRound = false;
      try {
        attempted = await dispatchDue({ ...deps, logger }, settings);
        if (Date.now() - lastCleanup > CLEANUP_EVERY_MS) {
          lastCleanup = Date.now();
          await pruneDeliveredEvents(deps.db, settings.retentionDays);
        }
      } catch (error) {
        logger?.error({ err: error }, 'webhook dispatch round failed');
      }
      // A full batch suggests more are due: go on at once; so does a wake-up during the round.
      if (attempted < settings.batchSize && !wokenDuringRound && !stopping) await sleep(settings.pollMs);
    }
  };
  const running = loop();
  return {
    wake() {
      if (interrupt) interrupt();
      else wokenDuringRound = true;
    },
    async stop() {
      stopping = true;
      interrupt?.();
      await running;
    },
  };
}
