/**
 * Forward mailboxes (reference §3.5 step 14): users' mail rules forward a copy
 * of each message to one shared mailbox **as an attachment**; the forward
 * mailbox unwraps it and processes the attached original as if the user's
 * mailbox had received it. A message with no attached email is
 * InvalidForwardMailItem (C13-forward), parked and not retried. Pure.
 */
import type { ParsedAttachment } from './parse.js';

export const FORWARDED_MESSAGE_TYPES: ReadonlySet<string> = new Set(['message/rfc822', 'message/global']);

export type ForwardUnwrap =
  { readonly ok: true; readonly original: Buffer } | { readonly ok: false; readonly reason: string };

/** The forwarded original: the first attached message. */
export function unwrapForward(attachments: readonly ParsedAttachment[]): ForwardUnwrap {
  const attached = attachments.find((part) => FORWARDED_MESSAGE_TYPES.has(part.mimeType.toLowerCase()));
  if (!attached) {
    return {
      ok: false,
      reason:
        'the forward mailbox received a message that does not carry the original email as an attachment',
    };
  }
  if (attached.content.length === 0) return { ok: false, reason: 'the attached email is empty' };
  return { ok: true, original: attached.content };
}
