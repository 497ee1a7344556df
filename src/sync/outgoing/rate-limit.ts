/**
 * The per-profile sending rate limit (`maxMessagesPerMinute`, 0 = none),
 * shared by every worker: the profile row holds a one-minute window (start
 * and count), and taking a slot is one atomic UPDATE guarded by the limit, so
 * workers on any number of machines never send more than the limit in a
 * window between them. A fixed window is simple and exact about the count;
 * at a window edge up to twice the limit can go out within 60 s, which SMTP
 * providers' per-minute and per-day limits tolerate.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';

export const WINDOW_MS = 60_000;

export type SlotDecision =
  | { readonly granted: true; readonly windowStartedAt: Date; readonly count: number }
  | { readonly granted: false; readonly retryAt: Date };

/** The same decision the UPDATE below makes, as a pure function (unit-tested, and used for retryAt). */
export function decideSlot(
  state: { windowStartedAt: Date | null; count: number },
  limit: number,
  now: Date,
): SlotDecision {
  const expired =
    state.windowStartedAt === null || now.getTime() - state.windowStartedAt.getTime() >= WINDOW_MS;
  if (limit <= 0 || expired) {
    return {
      granted: true,
      windowStartedAt: expired ? now : state.windowStartedAt!,
      count: expired ? 1 : state.count + 1,
    };
  }
  if (state.count < limit) {
    return { granted: true, windowStartedAt: state.windowStartedAt!, count: state.count + 1 };
  }
  return { granted: false, retryAt: new Date(state.windowStartedAt!.getTime() + WINDOW_MS) };
}

/** Takes one sending slot of the profile; when none is left, says when the window ends. */
export async function takeSendSlot(db: Db, profileId: string): Promise<SlotDecision> {
  const granted = await sql<{ started: Date; count: number }>`
    UPDATE email_server_profiles
    SET send_window_started_at = CASE
          WHEN send_window_started_at IS NULL OR send_window_started_at <= now() - interval '1 minute'
          THEN now() ELSE send_window_started_at END,
        send_window_count = CASE
          WHEN send_window_started_at IS NULL OR send_window_started_at <= now() - interval '1 minute'
          THEN 1 ELSE send_window_count + 1 END
    WHERE id = ${profileId}
      AND (max_messages_per_minute = 0
           OR send_window_started_at IS NULL
           OR send_window_started_at <= now() - interval '1 minute'
           OR send_window_count < max_messages_per_minute)
    RETURNING send_window_started_at AS started, send_window_count AS count
  `.execute(db);
  const row = granted.rows[0];
  if (row) return { granted: true, windowStartedAt: new Date(row.started), count: Number(row.count) };
  const state = await db
    .selectFrom('emailServerProfiles')
    .select(['sendWindowStartedAt', 'sendWindowCount', 'maxMessagesPerMinute'])
    .where('id', '=', profileId)
    .executeTakeFirst();
  const started = state?.sendWindowStartedAt ?? new Date();
  return { granted: false, retryAt: new Date(new Date(started).getTime() + WINDOW_MS) };
}
