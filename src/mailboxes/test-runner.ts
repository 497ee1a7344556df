/**
 * Runs scheduled Test & Enable requests in the background: the API schedules
 * and kicks, any worker process claims and runs. A request survives a crash:
 * it stays scheduled until a worker finishes it.
 */
import {
  claimScheduledTests,
  testAndEnable,
  type TestDependencies,
  type TestOutcome,
} from './test-and-enable.js';

export class TestRunner {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly deps: TestDependencies,
    private readonly concurrency = 4,
  ) {}

  /** The connectors and settings tests use, for other connection checks (a profile's test). */
  get dependencies(): TestDependencies {
    return this.deps;
  }

  /** Starts working through scheduled tests now, without waiting. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Runs scheduled tests until none is left; resolves with how many ran. */
  async runDue(): Promise<number> {
    let ran = 0;
    for (;;) {
      const ids = await claimScheduledTests(this.deps.db, this.concurrency);
      if (ids.length === 0) return ran;
      await Promise.all(ids.map((id) => this.runOne(id)));
      ran += ids.length;
    }
  }

  /** Waits until none of the mailboxes has a test scheduled, or the time runs out. */
  async waitFor(mailboxIds: readonly string[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = await this.deps.db
        .selectFrom('mailboxes')
        .select('id')
        .where('id', 'in', [...mailboxIds])
        .where('testScheduled', '=', true)
        .execute();
      if (pending.length === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits for the background work this process started (for shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      await this.runDue();
    } catch (error) {
      this.deps.logger?.error({ err: error }, 'test and enable runner failed');
    }
  }

  private async runOne(mailboxId: string): Promise<TestOutcome | undefined> {
    try {
      return await testAndEnable(this.deps, mailboxId);
    } catch (error) {
      // The claim expires and another attempt follows; the error is logged without credentials.
      this.deps.logger?.error({ err: error, mailboxId }, 'test and enable failed unexpectedly');
      return undefined;
    }
  }
}
