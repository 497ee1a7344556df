/**
 * Cuts the list of new messages into batches. Each batch is fetched with one
 * UID FETCH and committed in one transaction together with the cursor move to
 * its last UID, so a batch is the unit of progress: a crash loses at most the
 * batch in flight, which the next cycle reads again. Pure.
 *
 * Messages older than the process-email-from date and messages over the size
 * limit are never downloaded; they ride along in the batch so that the cursor
 * moves past them in UID order.
 */
import type { MessageSummary } from './imap-source.js';
import { isTooLarge } from './item-policy.js';
import { isBeforeWatermark } from './watermark.js';

export type PlannedMessage = MessageSummary & { readonly plan: 'fetch' | 'old' | 'oversized' };

export interface Batch {
  readonly messages: readonly PlannedMessage[];
  /** the cursor position once the batch is committed */
  readonly lastUid: number;
}

export interface BatchLimits {
  readonly watermark: Date | null;
  readonly sizeLimitKb: number;
  /** messages downloaded per batch (a few hundred; see DESIGN.md "Measured facts") */
  readonly maxMessages: number;
  /** bytes downloaded per batch, so a run of large messages does not fill memory */
  readonly maxBytes: number;
}

export function planMessage(
  summary: MessageSummary,
  limits: Pick<BatchLimits, 'watermark' | 'sizeLimitKb'>,
): PlannedMessage {
  if (isBeforeWatermark(summary.receivedAt, limits.watermark)) return { ...summary, plan: 'old' };
  if (isTooLarge(summary.size, limits.sizeLimitKb)) return { ...summary, plan: 'oversized' };
  return { ...summary, plan: 'fetch' };
}

export function planBatches(summaries: readonly MessageSummary[], limits: BatchLimits): Batch[] {
  const batches: Batch[] = [];
  let current: PlannedMessage[] = [];
  let count = 0;
  let bytes = 0;
  const close = () => {
    if (current.length === 0) return;
    batches.push({ messages: current, lastUid: current[current.length - 1]!.uid });
    current = [];
    count = 0;
    bytes = 0;
  };
  for (const summary of [...summaries].sort((a, b) => a.uid - b.uid)) {
    const planned = planMessage(summary, limits);
    const downloads = planned.plan === 'fetch';
    // A message that alone exceeds maxBytes (but not the size limit) still gets a batch of its own.
    if (downloads && count > 0 && (count >= limits.maxMessages || bytes + summary.size > limits.maxBytes))
      close();
    current.push(planned);
    if (downloads) {
      count += 1;
      bytes += summary.size;
    }
  }
  close();
  return batches;
}
