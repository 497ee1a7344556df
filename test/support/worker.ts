/**
 * Pieces the tests of sync workers share: a logger that says nothing, a
 * stand-in for the Test & Enable runner, a schedule that keeps polls out of
 * the way, and a wait for a condition that other processes bring about.
 */
import pino from 'pino';
import type { TestRunner } from '../../src/mailboxes/test-runner.js';
import type { SchedulePolicy } from '../../src/sync/due-time.js';

export const silentLogger = pino({ level: 'silent' });

/**
 * A stand-in (not the real runner) for the Test & Enable lane: there is never
 * a test to run, so a worker started with it only runs sync channels.
 */
export const noTestRunner = { runDue: async () => 0, idle: async () => undefined } as unknown as TestRunner;

/**
 * A mailbox polled at most once an hour, even after failures and without
 * jitter: anything that happens within a test was caused by a wake-up (NOTIFY,
 * IDLE), not by the poll.
 */
export const HOURLY_POLICY: SchedulePolicy = {
  activeIntervalMs: 60 * 60_000,
  quietCyclesBeforeBackoff: 3,
  idleMaxIntervalMs: 60 * 60_000,
  failureBaseMs: 60 * 60_000,
  failureMaxMs: 60 * 60_000,
  jitterRatio: 0,
};

/** Polls `probe` until it gives a value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
