/**
 * Raw RFC 5322 bytes → the parts of an email Mailroom stores, with postal-mime
 * (chosen over mailparser for its text/HTML parsing speed, see DESIGN.md
 * "Measured facts"). Everything that reaches the database is cleaned here:
 * PostgreSQL text cannot hold NUL characters, which broken mail does contain.
 *
 * Decoding attachment bytes is most of the cost of a full parse, so encoded
 * attachment bodies are held back (mime-scan.ts): the parser reads the rest,
 * and those bodies are stored as they came, decoded only when read
 * (records/attachment-content.ts).
 */
import { randomBytes } from 'node:crypto';
import PostalMime, { type Address, type Attachment, type Email } from 'postal-mime';
import { normalizeConversationIndex } from './correlation.js';
import { messageIdList, normalizeMessageId } from './dedupe.js';
import { base64DecodedSize, holdableParts, scanMime, type ScannedPart } from './mime-scan.js';
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
  /** the bytes as stored: decoded, or still in their transfer encoding when `transferEncoding` says so */
  readonly content: Buffer;
  /** 'base64': `content` is the part's body as it came, decoded on read (records/attachment-content.ts) */
  readonly transferEncoding: 'base64' | null;
  /** the decoded size */
  readonly sizeBytes: number;
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

/** The stored form of an attachment: decoded by the parser, or held back as it came. */
type AttachmentBytes = Pick<ParsedAttachment, 'content' | 'transferEncoding' | 'sizeBytes'>;

function decodedBytes(part: Attachment): AttachmentBytes {
  const content = toBuffer(part.content);
  return { content, transferEncoding: null, sizeBytes: content.length };
}

function attachment(
  part: Attachment,
  index: number,
  bytes: AttachmentBytes = decodedBytes(part),
): ParsedAttachment {
  const extension = part.mimeType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin';
  return {
    fileName:
      clean(part.filename ?? '')
        .trim()
        .slice(0, 255) || `attachment-${index + 1}.${extension}`,
    mimeType: part.mimeType.slice(0, 255) || 'application/octet-stream',
    contentId: part.contentId ? clean(part.contentId).slice(0, 255) : null,
    isInline: part.disposition === 'inline' || part.related === true,
    ...bytes,
  };
}

function sentAt(date: string | undefined): Date | null {
  if (!date) return null;
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

export function fromPostalMime(
  parsed: Email,
  heldBytes: (part: Attachment) => AttachmentBytes | undefined = () => undefined,
): ParsedEmail {
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
    attachments: parsed.attachments.map((part, index) => attachment(part, index, heldBytes(part))),
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
  const parserOptions = options.rfc822Attachments ? { forceRfc822Attachments: true } : {};
  // Only base64 bodies are held back; most text mail has none, and scanning it would cost a quarter of its parse.
  if (!mentionsBase64(raw)) return parseWhole(raw, parserOptions);
  const held = holdableParts(scanMime(raw));
  if (held.length > 0) {
    const outcome = await parseHoldingBack(raw, held, parserOptions);
    if (outcome !== null) return outcome;
  }
  return parseWhole(raw, parserOptions);
}

/** "base64" in any common spelling anywhere in the bytes: a cheap test that a part may be held back. */
export function mentionsBase64(raw: Buffer): boolean {
  return raw.includes('ase64') || raw.includes('ASE64');
}

interface ParserOptions {
  readonly forceRfc822Attachments?: boolean;
}

async function runParser(raw: Buffer, parserOptions: ParserOptions): Promise<Email | string> {
  try {
    // A forward mailbox needs attached emails as attachments (raw bytes), not merged into the body.
    return await PostalMime.parse(raw, parserOptions);
  } catch (error) {
    return clean(error instanceof Error ? error.message : String(error)).slice(0, 300);
  }
}

function outcomeOf(
  parsed: Email | string,
  held?: (part: Attachment) => AttachmentBytes | undefined,
): ParseOutcome {
  if (typeof parsed === 'string') return { ok: false, error: parsed };
  // Servers prepend trace headers (Received, Delivered-To) to anything they
  // store, so "has headers" proves nothing; an email has at least one of these.
  if (!parsed.headers.some((header) => EMAIL_HEADERS.has(header.key))) {
    return {
      ok: false,
      error: 'it has none of the headers of an email (From, To, Date, Subject, Message-ID)',
    };
  }
  return { ok: true, email: fromPostalMime(parsed, held) };
}

/** The plain way: the parser reads everything, attachments decoded. */
async function parseWhole(raw: Buffer, parserOptions: ParserOptions): Promise<ParseOutcome> {
  return outcomeOf(await runParser(raw, parserOptions));
}

/**
 * The fast way for messages with encoded attachments: the parser sees the
 * message with each such body replaced by a short marker, and the bodies are
 * kept as they came. The markers carry a random nonce, so a message cannot
 * forge one; unless the parser reports every marker exactly once as an
 * attachment, the message is parsed whole instead (null).
 */
async function parseHoldingBack(
  raw: Buffer,
  held: readonly ScannedPart[],
  parserOptions: ParserOptions,
): Promise<ParseOutcome | null> {
  const nonce = randomBytes(8).toString('hex');
  const prefix = `mailroom-held:${nonce}:`;
  const pieces: Buffer[] = [];
  let position = 0;
  held.forEach((part, index) => {
    pieces.push(raw.subarray(position, part.bodyStart));
    pieces.push(Buffer.from(Buffer.from(`${prefix}${index}`, 'latin1').toString('base64'), 'latin1'));
    position = part.bodyEnd;
  });
  pieces.push(raw.subarray(position));
  const parsed = await runParser(Buffer.concat(pieces), parserOptions);
  if (typeof parsed === 'string') return null;

  const seen = new Set<number>();
  let forged = false;
  const heldIndex = (part: Attachment): number | undefined => {
    const content = toBuffer(part.content);
    if (content.length > prefix.length + 6) return undefined;
    const text = content.toString('latin1');
    if (!text.startsWith(prefix)) return undefined;
    const index = Number(text.slice(prefix.length));
    return Number.isInteger(index) && index >= 0 && index < held.length ? index : undefined;
  };
  for (const part of parsed.attachments) {
    const index = heldIndex(part);
    if (index === undefined) continue;
    if (seen.has(index)) forged = true;
    seen.add(index);
  }
  if (forged || seen.size !== held.length) return null;
  return outcomeOf(parsed, (part) => {
    const index = heldIndex(part);
    if (index === undefined) return undefined;
    const body = held[index]!;
    // A copy, so the batch's fetched buffers are not kept alive by the attachment.
    const content = Buffer.from(raw.subarray(body.bodyStart, body.bodyEnd));
    return { content, transferEncoding: 'base64', sizeBytes: base64DecodedSize(content) };
  });
}
