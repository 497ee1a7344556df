/**
 * One server message → what to write for it: an email ready to be stored, an
 * item-level failure with its catalogue entry, or nothing (too old, or gone
 * from the server). Parsing happens here, outside any transaction.
 */
import { getEntry, type PlaceholderValues } from '../../diagnostics/render.js';
import type { FailureClass } from '../due-time.js';
import type { PlannedMessage } from './batches.js';
import { dedupeKeyFor, normalizeMessageId } from './dedupe.js';
import { unwrapForward } from './forward.js';
import type { FetchedMessage, MessageSummary } from './imap-source.js';
import type { ParsedEmail } from './parse.js';
import { inlineParser, type EmailParser } from './parse-pool.js';

/** One message, ready to be written. */
export type Prepared =
  /** not tracked: older than the process-email-from date, or gone from the server meanwhile */
  | { readonly kind: 'pass'; readonly uid: number; readonly old: boolean }
  | {
      readonly kind: 'email';
      readonly message: MessageSummary;
      readonly key: string;
      readonly email: ParsedEmail;
      readonly dedupeKey: string;
    }
  | {
      readonly kind: 'failure';
      readonly message: MessageSummary;
      readonly key: string;
      readonly entryId: string;
      readonly failure: FailureClass;
      readonly values: PlaceholderValues;
      readonly reason: string;
      readonly subject: string | null;
      readonly messageId: string | null;
    };

export interface PrepareOptions {
  /** a forward mailbox: the message must carry the original email as an attachment */
  readonly forwardMailbox?: boolean;
  /** where messages are parsed (parse-pool.ts); on the calling thread when absent */
  readonly parser?: EmailParser | undefined;
}

export async function prepare(
  ctx: { readonly sizeLimitKb: number } & PrepareOptions,
  message: PlannedMessage,
  key: string,
  body: FetchedMessage | undefined,
  headline: { subject: string; messageId: string | null } | undefined,
): Promise<Prepared> {
  if (message.plan === 'old') return { kind: 'pass', uid: message.uid, old: true };
  if (message.plan === 'oversized') {
    const subject = headline?.subject ?? '';
    return {
      kind: 'failure',
      message,
      key,
      entryId: 'MR4-in',
      failure: getEntry('MR4-in').failure,
      values: { emailSubject: subject, sizeKb: Math.ceil(message.size / 1024), limitKb: ctx.sizeLimitKb },
      reason: `${Math.ceil(message.size / 1024)} KB is over the limit of ${ctx.sizeLimitKb} KB`,
      subject,
      messageId: normalizeMessageId(headline?.messageId),
    };
  }
  // Expunged between listing and fetching: nothing to track.
  if (body === undefined) return { kind: 'pass', uid: message.uid, old: false };
  return prepareBody(message, key, body.source, ctx);
}

export async function prepareBody(
  message: MessageSummary,
  key: string,
  raw: Buffer,
  options: PrepareOptions = {},
): Promise<Prepared> {
  const parser = options.parser ?? inlineParser;
  let parsed = await parser.parse(raw, { rfc822Attachments: options.forwardMailbox === true });
  if (parsed.ok && options.forwardMailbox) {
    const wrapper = parsed.email;
    const unwrapped = unwrapForward(wrapper.attachments);
    if (!unwrapped.ok) {
      return {
        kind: 'failure',
        message,
        key,
        entryId: 'C13-forward',
        failure: getEntry('C13-forward').failure,
        values: { emailSubject: wrapper.subject },
        reason: unwrapped.reason,
        subject: wrapper.subject,
        messageId: wrapper.messageId,
      };
    }
    // From here on the original is the message: its sender, recipients, Message-ID and subject.
    parsed = await parser.parse(unwrapped.original);
  }
  if (!parsed.ok) {
    return {
      kind: 'failure',
      message,
      key,
      entryId: 'MR5',
      failure: getEntry('MR5').failure,
      values: { itemReference: key, parseError: parsed.error },
      reason: parsed.error,
      subject: null,
      messageId: null,
    };
  }
  const { email } = parsed;
  if (email.from === null) {
    return {
      kind: 'failure',
      message,
      key,
      entryId: 'C13-sender',
      failure: getEntry('C13-sender').failure,
      values: { emailSubject: email.subject },
      reason: 'the message has no From address',
      subject: email.subject,
      messageId: email.messageId,
    };
  }
  const dedupeKey = dedupeKeyFor(email.messageId, {
    from: email.from.address,
    to: email.to.map((entry) => entry.address),
    cc: email.cc.map((entry) => entry.address),
    subject: email.subject,
    date: email.date,
    text: email.text,
  });
  return { kind: 'email', message, key, email, dedupeKey };
}
