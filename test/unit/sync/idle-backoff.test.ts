import { describe, expect, it } from 'vitest';
import { IDLE_RECONNECT_POLICY, reconnectDelayMs } from '../../../src/sync/idle/backoff.js';

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe('reconnectDelayMs', () => {
  it('doubles with each failure in a row', () => {
    expect(reconnectDelayMs(0, policy, () => 1)).toBe(1_000);
    expect(reconnectDelayMs(1, policy, () => 1)).toBe(2_000);
    expect(reconnectDelayMs(4, policy, () => 1)).toBe(16_000);
  });

  it('stops at the cap, however many failures', () => {
    expect(reconnectDelayMs(6, policy, () => 1)).toBe(60_000);
    expect(reconnectDelayMs(10_000, policy, () => 1)).toBe(60_000);
    expect(reconnectDelayMs(Number.POSITIVE_INFINITY, policy, () => 1)).toBe(60_000);
  });

  it('spreads retries between half and all of the delay', () => {
    expect(reconnectDelayMs(3, policy, () => 0)).toBe(4_000);
    expect(reconnectDelayMs(3, policy, () => 0.5)).toBe(6_000);
    const delays = Array.from({ length: 200 }, () => reconnectDelayMs(3, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8_000);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('survives a broken random source and negative counts', () => {
    expect(reconnectDelayMs(-3, policy, () => Number.NaN)).toBe(500);
    expect(reconnectDelayMs(2, policy, () => 7)).toBe(4_000);
  });

  it('retries IDLE within seconds at first and at most every 5 minutes', () => {
    expect(reconnectDelayMs(0, IDLE_RECONNECT_POLICY, () => 1)).toBeLessThanOrEqual(2_000);
    expect(reconnectDelayMs(50, IDLE_RECONNECT_POLICY, () => 1)).toBe(5 * 60_000);
  });
});
