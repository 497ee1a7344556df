import { describe, expect, it } from 'vitest';
import { deliveryVerdict, retryDelayMs, type RetryPolicy } from '../../../src/webhooks/retry-policy.js';

const policy: RetryPolicy = { baseMs: 1000, capMs: 10_000, maxAttempts: 4 };
const now = new Date('2025-03-01T10:00:00Z');

describe('webhook retry policy', () => {
  it('doubles the wait after each failed attempt, up to the cap', () => {
    const full = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, policy, full))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('jitters each wait between half and all of its nominal length', () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4000);
  });

  it('calls a 2xx delivered and anything else a retry, until the attempt limit', () => {
    expect(deliveryVerdict({ kind: 'response', statusCode: 204 }, 1, policy, now)).toEqual({
      status: 'delivered',
    });
    expect(deliveryVerdict({ kind: 'response', statusCode: 500 }, 1, policy, now, () => 1)).toEqual({
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + 1000),
    });
    // A redirect is not followed, so it is not a delivery.
    expect(deliveryVerdict({ kind: 'response', statusCode: 301 }, 2, policy, now).status).toBe('pending');
    expect(deliveryVerdict({ kind: 'error', message: 'ECONNREFUSED' }, 3, policy, now).status).toBe(
      'pending',
    );
    expect(deliveryVerdict({ kind: 'response', statusCode: 500 }, 4, policy, now)).toEqual({
      status: 'failed',
    });
  });
});
