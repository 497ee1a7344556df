/**
 * How long to wait before reconnecting a dropped connection (an IDLE watcher,
 * the notification listener). Pure: the caller passes the random source.
 *
 * The delay doubles with each failure in a row up to a cap, and is then
 * spread between half and all of that value: after a server restart, a
 * worker's hundreds of IDLE connections come back over a few seconds instead
 * of knocking on the server in the same millisecond.
 */

export interface ReconnectPolicy {
  /** the delay before the first retry */
  readonly baseMs: number;
  /** the longest delay */
  readonly maxMs: number;
}

export const IDLE_RECONNECT_POLICY: ReconnectPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

/** `failures`: failed attempts in a row before this one (0 for the first retry). */
export function reconnectDelayMs(
  failures: number,
  policy: ReconnectPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, Math.floor(failures)), 30);
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
  return Math.round(capped * (0.5 + 0.5 * unit));
}
