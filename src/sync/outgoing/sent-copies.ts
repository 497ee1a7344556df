/**
 * Sent-folder copies of one cycle, appended in the background over the
 * cycle's one IMAP session while SMTP goes on with the next messages, in
 * the order they were sent. The cycle collects the results at its end and
 * records them in one go. A failed append never fails the send.
 */
import type { SentFolderCopy, SentFolderSaver } from './sent-folder.js';

export interface SentCopyResult {
  readonly emailId: string;
  readonly saved: boolean;
}

export class SentCopyQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly results: SentCopyResult[] = [];

  constructor(
    private readonly saver: SentFolderSaver,
    private readonly onFailure: (emailId: string, error: unknown) => void,
  ) {}

  add(emailId: string, copy: SentFolderCopy): void {
    this.tail = this.tail.then(async () => {
      try {
        await this.saver.save(copy);
        this.results.push({ emailId, saved: true });
      } catch (error) {
        this.onFailure(emailId, error);
        this.results.push({ emailId, saved: false });
      }
    });
  }

  /** Waits for the pending appends, closes the session, and returns every result. */
  async finish(): Promise<SentCopyResult[]> {
    await this.tail;
    await this.saver.close().catch(() => undefined);
    return [...this.results];
  }
}
