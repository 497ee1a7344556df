/**
 * Raw RFC 5322 bytes → the parts of an email Mailroom stores, with postal-mime
 * (chosen over mailparser for its text/HTML parsing speed, see DESIGN.md
 * "Measured facts"). Everything that reaches the database is cleaned here:
 * PostgreSQL text cannot hold NUL characters, which broken mail does contain.
 */
import PostalMime, { type Address, type Attachment, type Email } from 'postal-mime';
import { normalizeConversationIndex } from './correlation.js';
import { messageIdList, normalizeMessageId } from './dedupe.js';
import { isUsableAddress } from './party-resolution.js';

export interface AddressEntry {
  readonly address: string;
  readonly name: string;
}

export interface ParsedAttachment {
  readonly fileName: string;
  readonly mimeType: string;
  readonly contentId: string | null;
  readonly isInline: boolean;
  readonly content: Buffer;
}

export interface ParsedEmail {
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  /** the Thread-Index header as canonical base64, when it is a conversation index */
  readonly conversationIndex: string | null;
  readonly subject: string;
  /** null when the message has no From, or none that is an address */
  readonly from: AddressEntry | null;
  readonly to: readonly AddressEntry[];
  readonly cc: readonly AddressEntry[];
  /** the Date header as written (for fingerprints) */
  readonly date: string | null;
  /** the Date header as a time, when it is one */
  readonly sentAt: Date | null;
  readonly text: string | null;
  readonly html: string | null;
  readonly attachments: readonly ParsedAttachment[];
}

export type ParseOutcome =
  { readonly ok: true; readonly email: ParsedEmail } | { readonly ok: false; readonly error: string };

const EMAIL_HEADERS: ReadonlySet<string> = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'date',
  'subject',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
]);

/** The longest subject kept (the API accepts the same). */
const MAX_SUBJECT = 2000;

export function clean(value: string): string {
  return value.includes('\u0000') ? value.split('\u0000').join('') : value;
}

function cleanOrNull(value: string | undefined): string | null {
  if (value === undefined) return null;
  const cleaned = clean(value);
  return cleaned === '' ? null : cleaned;
}

/** Group members flattened into the list; entries without a usable address are kept only in order to be counted out. */
function addresses(list: readonly Address[] | Address | undefined): AddressEntry[] {
  if (list === undefined) return [];
  const flat = (Array.isArray(list) ? list : [list]).flatMap((entry: Address) =>
    entry.group === undefined ? [entry] : entry.group,
  );
  return flat.map((mailbox) => ({
    address: clean(mailbox.address).trim(),
    name: clean(mailbox.name).trim(),
  }));
}

function toBuffer(content: Attachment['content']): Buffer {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (content instanceof ArrayBuffer) return Buffer.from(content);
  return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

function attachment(part: Attachment, index: number): ParsedAttachment {
  const extension = part.mimeType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin';
  return {
    fileName:
      clean(part.filename ?? '')
        .trim()
        .slice(0, 255) || `attachment-${index + 1}.${extension}`,
    mimeType: part.mimeType.slice(0, 255) || 'application/octet-stream',
    contentId: part.contentId ? clean(part.contentId).slice(0, 255) : null,
    isInline: part.disposition === 'inline' || part.related === true,
    content: toBuffer(part.content),
  };
}

function sentAt(date: string | undefined): Date | null {
  if (!date) return null;
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

export function fromPostalMime(parsed: Email): ParsedEmail {
  const from = addresses(parsed.from).find((entry) => isUsableAddress(entry.address)) ?? null;
  return {
    messageId: normalizeMessageId(parsed.messageId),
    inReplyTo: messageIdList(parsed.inReplyTo)[0] ?? null,
    references: messageIdList(parsed.references),
    conversationIndex: normalizeConversationIndex(
      parsed.headers.find((header) => header.key === 'thread-index')?.value,
    ),
    subject: clean(parsed.subject ?? '')
      .trim()
      .slice(0, MAX_SUBJECT),
    from,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    date: cleanOrNull(parsed.date),
    sentAt: sentAt(parsed.date),
    text: cleanOrNull(parsed.text),
    html: cleanOrNull(parsed.html),
    attachments: parsed.attachments.map(attachment),
  };
}

/**
 * Parses one message. Fails only when the bytes are not an email at all: the
 * parser gives up (nesting or header limits), or no header is an email's.
 * A missing From is not a parse failure (it is InvalidSender, decided later).
 */
export async function parseEmail(
  raw: Buffer,
  options: { readonly rfc822Attachments?: boolean } = {},
): Promise<ParseOutcome> {
  let parsed: Email;
  try {
    // A forward mailbox needs attached emails as attachments (raw bytes), not merged into the body.
    parsed = await PostalMime.parse(raw, options.rfc822Attachments ? { forceRfc822Attachments: true } : {});
  } catch (error) {
    return { ok: false, error: clean(error instanceof Error ? error.message : String(error)).slice(0, 300) };
  }
  // Servers prepend trace headers (Received, Delivered-To) to anything they
  // store, so "has headers" proves nothing; an email has at least one of these.
  if (!parsed.headers.some((header) => EMAIL_HEADERS.has(header.key))) {
    return {
      ok: false,
      error: 'it has none of the headers of an email (From, To, Date, Subject, Message-ID)',
    };
  }
  return { ok: true, email: fromPostalMime(parsed) };
}
