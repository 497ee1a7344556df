/**
 * When a webhook delivery is tried again. Pure, so the schedule has its own
 * tests: exponential backoff from `baseMs`, capped at `capMs`, with jitter
 * (each wait is between half and all of its nominal length) so that many
 * deliveries that failed together do not all come back at once; after
 * `maxAttempts` attempts the delivery is given up ("failed").
 */

export interface RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 30_000,
  capMs: 60 * 60_000,
  maxAttempts: 10,
};

/** The wait after the `attempt`-th failed attempt (1 = the first). */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const nominal = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(nominal * (0.5 + 0.5 * Math.min(1, Math.max(0, random()))));
}

/** What an attempt's result means: a 2xx is delivered, anything else is retried until the limit. */
export type AttemptResult =
  | { readonly kind: 'response'; readonly statusCode: number }
  | { readonly kind: 'error'; readonly message: string };

export type DeliveryVerdict =
  | { readonly status: 'delivered' }
  | { readonly status: 'pending'; readonly nextAttemptAt: Date }
  | { readonly status: 'failed' };

export function isDelivered(result: AttemptResult): boolean {
  return result.kind === 'response' && result.statusCode >= 200 && result.statusCode < 300;
}

export function deliveryVerdict(
  result: AttemptResult,
  attempts: number,
  policy: RetryPolicy,
  now: Date,
  random: () => number = Math.random,
): DeliveryVerdict {
  if (isDelivered(result)) return { status: 'delivered' };
  if (attempts >= policy.maxAttempts) return { status: 'failed' };
  return {
    status: 'pending',
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, policy, random)),
  };
}
