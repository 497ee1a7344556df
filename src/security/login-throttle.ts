/**
 * Slows down password guessing: after too many failed sign-ins for one user
 * name, or from one address, within a window, further attempts are refused
 * until the window has passed. Kept in memory: it is a brake for one process,
 * and the slow password hash already limits what any one attacker can try.
 */
export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions = { maxFailures: 10, windowMs: 15 * 60 * 1000 }) {}

  /** Milliseconds until any of these keys may try again, or 0 when all may try now. */
  retryAfter(keys: readonly string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= this.options.maxFailures) {
        wait = Math.max(wait, (recent[0] ?? now) + this.options.windowMs - now);
      }
    }
    return wait;
  }

  fail(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
    // Bound the memory an attacker cycling through names can make us hold.
    if (this.failures.size > 10_000) {
      for (const [key] of this.failures) {
        if (this.recent(key, now).length === 0) this.failures.delete(key);
      }
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => now - at < this.options.windowMs);
  }
}
