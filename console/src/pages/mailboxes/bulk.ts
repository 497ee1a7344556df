/**
 * Commands on several mailboxes at once. Test & Enable runs in the background
 * on the server; the console polls each mailbox until its test has completed,
 * so that the admin sees progress instead of a long wait.
 */
import { api } from '../../api/client';
import type { Mailbox } from '../../api/types';

export interface Progress {
  readonly done: number;
  readonly total: number;
}

const POLL_MS = 1000;
const GIVE_UP_MS = 5 * 60 * 1000;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

export async function testAndEnableMany(
  ids: readonly string[],
  onProgress: (progress: Progress) => void,
): Promise<Mailbox[]> {
  await api('POST', '/api/mailboxes/test-and-enable', { mailboxIds: ids });
  const finished = new Map<string, Mailbox>();
  const started = Date.now();
  onProgress({ done: 0, total: ids.length });
  while (finished.size < ids.length && Date.now() - started < GIVE_UP_MS) {
    await pause(POLL_MS);
    const pending = ids.filter((id) => !finished.has(id));
    const states = await Promise.all(pending.map((id) => api<Mailbox>('GET', `/api/mailboxes/${id}`)));
    for (const mailbox of states) if (!mailbox.testScheduled) finished.set(mailbox.id, mailbox);
    onProgress({ done: finished.size, total: ids.length });
  }
  return [...finished.values()];
}

export async function approveMany(
  ids: readonly string[],
  onProgress: (progress: Progress) => void,
): Promise<{ approved: number; refused: string[] }> {
  const refused: string[] = [];
  let done = 0;
  onProgress({ done, total: ids.length });
  for (const id of ids) {
    try {
      await api('POST', `/api/mailboxes/${id}/approve`);
    } catch (error) {
      refused.push(error instanceof Error ? error.message : String(error));
    }
    done += 1;
    onProgress({ done, total: ids.length });
  }
  return { approved: ids.length - refused.length, refused };
}
