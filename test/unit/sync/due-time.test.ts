import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCHEDULE_POLICY,
  baseDelayMs,
  failureStreak,
  failureVerdict,
  nextDueAt,
} from '../../../src/sync/due-time.js';

const now = new Date('2026-01-01T00:00:00Z');
const MIN = 60_000;
const at = (ms: number) => new Date(now.getTime() + ms);

describe('nextDueAt', () => {
  it('polls an active mailbox after the active interval, jittered downwards only', () => {
    const result = { kind: 'success', quietCycles: 0 } as const;
    expect(nextDueAt({ now, result, minPollingIntervalMinutes: 0, random: () => 0 })).toEqual(at(MIN));
    // random → 1: the largest cut, 20 %
    expect(
      nextDueAt({ now, result, minPollingIntervalMinutes: 0, random: () => 0.999999 }).getTime(),
    ).toBeGreaterThan(at(0.8 * MIN).getTime() - 1);
    for (let i = 0; i < 50; i++) {
      const due = nextDueAt({ now, result, minPollingIntervalMinutes: 0 }).getTime() - now.getTime();
      expect(due).toBeGreaterThanOrEqual(0.8 * MIN);
      expect(due).toBeLessThanOrEqual(MIN);
    }
  });

  it('backs a quiet mailbox off after three quiet cycles, doubling up to 15 minutes', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10, 100].map((quietCycles) =>
      baseDelayMs({ kind: 'success', quietCycles }, DEFAULT_SCHEDULE_POLICY),
    );
    expect(delays).toEqual([MIN, MIN, MIN, 2 * MIN, 4 * MIN, 8 * MIN, 15 * MIN, 15 * MIN, 15 * MIN]);
  });

  it('backs failures off exponentially from one minute, capped at 15 minutes, never beyond the cap with jitter', () => {
    const delays = [1, 2, 3, 4, 5, 6, 50, 5000].map((consecutiveFailures) =>
      baseDelayMs({ kind: 'failure', consecutiveFailures }),
    );
    expect(delays).toEqual([MIN, 2 * MIN, 4 * MIN, 8 * MIN, 15 * MIN, 15 * MIN, 15 * MIN, 15 * MIN]);
    const capped = nextDueAt({
      now,
      result: { kind: 'failure', consecutiveFailures: 40 },
      minPollingIntervalMinutes: 0,
      random: () => 0,
    });
    expect(capped).toEqual(at(15 * MIN));
  });

  it("never polls more often than the profile's minimum polling interval", () => {
    const due = nextDueAt({
      now,
      result: { kind: 'success', quietCycles: 0 },
      minPollingIntervalMinutes: 30,
      random: () => 0.5,
    });
    expect(due).toEqual(at(30 * MIN));
    const failing = nextDueAt({
      now,
      result: { kind: 'failure', consecutiveFailures: 1 },
      minPollingIntervalMinutes: 5,
      random: () => 0,
    });
    expect(failing).toEqual(at(5 * MIN));
  });

  it('treats a broken random source as no jitter', () => {
    const result = { kind: 'success', quietCycles: 0 } as const;
    expect(nextDueAt({ now, result, minPollingIntervalMinutes: 0, random: () => Number.NaN })).toEqual(
      at(MIN),
    );
    expect(nextDueAt({ now, result, minPollingIntervalMinutes: 0, random: () => -3 })).toEqual(at(MIN));
  });
});

describe('failureVerdict', () => {
  it('retries transient failures until the limit, then disables', () => {
    expect(failureVerdict('transient', 0, 10)).toEqual({ action: 'retry', consecutiveFailures: 1 });
    expect(failureVerdict('transient', 8, 10)).toEqual({ action: 'retry', consecutiveFailures: 9 });
    expect(failureVerdict('transient', 9, 10)).toEqual({
      action: 'disable',
      consecutiveFailures: 10,
      limitReached: true,
    });
  });

  it('disables at once on a permanent failure', () => {
    expect(failureVerdict('permanent', 0, 10)).toEqual({
      action: 'disable',
      consecutiveFailures: 1,
      limitReached: false,
    });
  });

  it('does not count a failure of class none', () => {
    expect(failureVerdict('none', 3, 10)).toEqual({ action: 'retry', consecutiveFailures: 3 });
  });

  it('disables after the first transient failure when the limit is 1', () => {
    expect(failureVerdict('transient', 0, 1)).toMatchObject({ action: 'disable', limitReached: true });
  });
});

describe('failureStreak', () => {
  const cycle = new Date('2026-01-01T10:00:00Z');
  it('continues the streak when no Test & Enable ran since the last cycle', () => {
    expect(failureStreak(7, cycle, null)).toBe(7);
    expect(failureStreak(7, cycle, new Date('2026-01-01T09:00:00Z'))).toBe(7);
  });

  it('starts a new streak after a Test & Enable run that completed after the last cycle', () => {
    expect(failureStreak(10, cycle, new Date('2026-01-01T10:00:01Z'))).toBe(0);
    expect(failureStreak(3, null, new Date('2026-01-01T10:00:01Z'))).toBe(0);
  });
});
