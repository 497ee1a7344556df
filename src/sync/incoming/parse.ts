/**
 * Raw RFC 5322 bytes → the parts of an email Mailroom stores, with postal-mime
 * (chosen over mailparser for its text/HTML parsing speed, see DESIGN.md
 * "Measured facts"). Everything that reaches the database is cleaned here:
 * PostgreSQL text cannot hold NUL characters, which broken mail does contain.
 *
 * The parser is spared what is costly and simple (mime-scan.ts finds it):
 * - encoded attachment bodies are held back, stored as they came and decoded
 *   only when read (records/attachment-content.ts);
 * - ordinary text bodies (UTF-8 or ASCII, 7bit, 8bit or quoted-printable) are
 *   decoded here (text-body.ts), with the parser's own rules.
 * postal-mime then reads the rest: headers, addresses, structure, and any part
 * these shortcuts leave alone. The outcome is the full parse's, which tests hold
 * it to, except that an email without HTML of its own gets none (hasOwnHtml).
 */
import PostalMime, { type Address, type Attachment, type Email } from 'postal-mime';
import { normalizeConversationIndex } from './correlation.js';
import { messageIdList, normalizeMessageId } from './dedupe.js';
import {
  base64DecodedSize,
  holdableParts,
  MIME_SCAN_MAX_PARTS,
  scanMime,
  type ScannedPart,
} from './mime-scan.js';
import { decodeTextBody, isInlineText } from './text-body.js';
import { isUsableAddress } from './party-resolution.js';
import { randomBytesFromPool } from '../../security/random-pool.js';

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
  const root = scanMime(raw);
  const ownHtml = hasOwnHtml(root);
  const shortcut = planShortcut(raw, root);
  if (shortcut.held.length > 0 || shortcut.texts.length > 0) {
    const outcome = await parseSkeleton(raw, shortcut, ownHtml, parserOptions);
    if (outcome !== null) return outcome;
  }
  return parseWhole(raw, ownHtml, parserOptions);
}

/** "base64" in any common spelling anywhere in the bytes: a cheap test that a part may be held back. */
export function mentionsBase64(raw: Buffer): boolean {
  return raw.includes('ase64') || raw.includes('ASE64');
}

/**
 * Whether the message has HTML of its own: an inline text/html part, or
 * something only the parser can see into (a forwarded message, a structure the
 * scan could not follow). Without, postal-mime would render the plain text as
 * HTML; Mailroom stores no HTML the sender did not write, so the text is the body.
 */
export function hasOwnHtml(root: ScannedPart): boolean {
  let parts = 0;
  const visit = (part: ScannedPart): boolean => {
    parts += 1;
    if (part.unterminated || unclearContainer(part)) return true;
    if (part.mimeType.startsWith('message/')) return true;
    if (isInlineText(part) && part.mimeType === 'text/html') return true;
    return part.children.some(visit);
  };
  // A scan that stopped at its part limit has not seen every part.
  return visit(root) || parts >= MIME_SCAN_MAX_PARTS;
}

/**
 * A multipart the scan cannot read as the parser does: without parts (not
 * scanned), or a digest, whose untyped parts are emails to the parser.
 */
function unclearContainer(part: ScannedPart): boolean {
  return (
    part.mimeType.startsWith('multipart/') &&
    (part.children.length === 0 || part.mimeType === 'multipart/digest')
  );
}

/** A CR that does not start a CRLF: the scan and the parser would end lines differently. */
function hasBareCr(raw: Buffer): boolean {
  for (let at = raw.indexOf(0x0d); at >= 0; at = raw.indexOf(0x0d, at + 1)) {
    if (raw[at + 1] !== 0x0a) return true;
  }
  return false;
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
  ownHtml: boolean,
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
  const email = fromPostalMime(parsed, held);
  return { ok: true, email: ownHtml ? email : { ...email, html: null } };
}

/** The plain way: the parser reads everything, attachments decoded. */
async function parseWhole(
  raw: Buffer,
  ownHtml: boolean,
  parserOptions: ParserOptions,
): Promise<ParseOutcome> {
  return outcomeOf(await runParser(raw, parserOptions), ownHtml);
}

/** A text part decoded here (text-body.ts), and which of the two bodies it belongs to. */
interface DecodedText {
  readonly part: ScannedPart;
  readonly kind: 'text' | 'html';
  readonly text: string;
}

/** What the parser is spared: encoded attachment bodies held back, text bodies decoded here. */
interface Shortcut {
  readonly held: readonly ScannedPart[];
  readonly texts: readonly DecodedText[];
}

/**
 * The text parts decoded here: only in a message that has a plain-text body
 * (an HTML-only message needs the parser's HTML-to-text rendering), and only
 * parts no delimiter of an enclosing multipart could cut short. A CR that
 * does not start a CRLF anywhere makes the scan and the parser disagree on
 * line ends; such a message is left to the parser.
 */
function decodableTexts(raw: Buffer, root: ScannedPart): DecodedText[] {
  if (root.unterminated || hasBareCr(raw)) return [];
  const found: DecodedText[] = [];
  let plain = false;
  const visit = (part: ScannedPart, boundaries: readonly string[]): void => {
    if (part.unterminated || unclearContainer(part)) return;
    if (isInlineText(part)) {
      if (part.mimeType === 'text/plain') plain = true;
      if (boundaries.some((boundary) => opensLine(raw, `--${boundary}`, part.bodyStart, part.bodyEnd)))
        return;
      const text = decodeTextBody(raw, part);
      if (text !== null) found.push({ part, kind: part.mimeType === 'text/html' ? 'html' : 'text', text });
      return;
    }
    const inner = part.boundary === null ? boundaries : [...boundaries, part.boundary];
    for (const child of part.children) visit(child, inner);
  };
  visit(root, []);
  return plain ? found : [];
}

/** Whether a line within [start, end) begins with `prefix`. */
function opensLine(raw: Buffer, prefix: string, start: number, end: number): boolean {
  let at = raw.indexOf(prefix, start, 'latin1');
  while (at >= 0 && at < end) {
    if (at === start || raw[at - 1] === 0x0a) return true;
    at = raw.indexOf(prefix, at + 1, 'latin1');
  }
  return false;
}

function planShortcut(raw: Buffer, root: ScannedPart): Shortcut {
  return {
    // Only base64 bodies are held back, so mail without the word has none to look for.
    held: mentionsBase64(raw) ? holdableParts(root) : [],
    texts: decodableTexts(raw, root),
  };
}

/**
 * The fast way: the parser sees the message with each held-back attachment
 * body and each decoded text body replaced by a short marker; the attachment
 * bodies are kept as they came and the texts decoded here go where the parser
 * put their markers. The markers carry a random nonce, so a message cannot
 * forge one. Unless the parser reports every attachment marker exactly once as
 * an attachment, and every text marker exactly once in its own body (text or
 * HTML) and never rendered into the other, the message is parsed whole
 * instead (null).
 */
async function parseSkeleton(
  raw: Buffer,
  shortcut: Shortcut,
  ownHtml: boolean,
  parserOptions: ParserOptions,
): Promise<ParseOutcome | null> {
  const nonce = randomBytesFromPool(8).toString('hex');
  const heldPrefix = `mailroom-held:${nonce}:`;
  const textPrefix = `mailroomtext${nonce}n`;
  const replacements = [
    ...shortcut.held.map((part, index) => ({
      part,
      marker: Buffer.from(Buffer.from(`${heldPrefix}${index}`, 'latin1').toString('base64'), 'latin1'),
    })),
    ...shortcut.texts.map(({ part }, index) => ({
      part,
      marker: Buffer.from(`${textPrefix}${index}`, 'latin1'),
    })),
  ].sort((a, b) => a.part.bodyStart - b.part.bodyStart);
  const pieces: Buffer[] = [];
  let position = 0;
  for (const { part, marker } of replacements) {
    pieces.push(raw.subarray(position, part.bodyStart), marker);
    position = part.bodyEnd;
  }
  pieces.push(raw.subarray(position));
  const parsed = await runParser(Buffer.concat(pieces), parserOptions);
  if (typeof parsed === 'string') return null;

  const held = shortcut.held;
  const seen = new Set<number>();
  let forged = false;
  const heldIndex = (part: Attachment): number | undefined => {
    const content = toBuffer(part.content);
    if (content.length > heldPrefix.length + 6) return undefined;
    const text = content.toString('latin1');
    if (!text.startsWith(heldPrefix)) return undefined;
    const index = Number(text.slice(heldPrefix.length));
    return Number.isInteger(index) && index >= 0 && index < held.length ? index : undefined;
  };
  // Which attachment is which held body, read once: the outcome below asks again for each attachment.
  const heldOf = new Map<Attachment, number>();
  for (const part of parsed.attachments) {
    const index = heldIndex(part);
    if (index === undefined) continue;
    if (seen.has(index)) forged = true;
    seen.add(index);
    heldOf.set(part, index);
  }
  if (forged || seen.size !== held.length) return null;

  const bodies = restoreTexts(parsed, shortcut.texts, textPrefix, ownHtml);
  if (bodies === null) return null;
  return outcomeOf({ ...parsed, ...bodies }, ownHtml, (part) => {
    const index = heldOf.get(part);
    if (index === undefined) return undefined;
    const body = held[index]!;
    // A copy, so the batch's fetched buffers are not kept alive by the attachment.
    const content = Buffer.from(raw.subarray(body.bodyStart, body.bodyEnd));
    return { content, transferEncoding: 'base64', sizeBytes: base64DecodedSize(content) };
  });
}

/**
 * The parser's text and HTML with each text marker replaced by its decoded
 * part; null when a marker is missing, repeated, or landed in the other body
 * (the parser rendered that part into it, which only the parser can do). An
 * HTML body the message does not have of its own is dropped (hasOwnHtml).
 */
function restoreTexts(
  parsed: Email,
  texts: readonly DecodedText[],
  prefix: string,
  ownHtml: boolean,
): Pick<Email, 'text' | 'html'> | null {
  if (texts.length === 0) return { text: parsed.text, html: parsed.html };
  const counts = texts.map(() => 0);
  const restore = (body: string | undefined, kind: 'text' | 'html'): string | undefined | null => {
    if (body === undefined) return undefined;
    const pieces: string[] = [];
    let position = 0;
    for (let at = body.indexOf(prefix); at >= 0; at = body.indexOf(prefix, position)) {
      const digitsEnd = body.indexOf('\n', at);
      const index = digitsEnd < 0 ? NaN : Number(body.slice(at + prefix.length, digitsEnd));
      const entry = Number.isInteger(index) ? texts[index] : undefined;
      if (entry === undefined || entry.kind !== kind) return null;
      counts[index]! += 1;
      pieces.push(body.slice(position, at), entry.text);
      position = digitsEnd + 1;
    }
    pieces.push(body.slice(position));
    return pieces.join('');
  };
  const text = restore(parsed.text, 'text');
  // Without HTML of its own, the parser's HTML is the plain text rendered, markers and all: not used.
  const html = ownHtml ? restore(parsed.html, 'html') : undefined;
  if (text === null || html === null || counts.some((count) => count !== 1)) return null;
  return { text, html };
}
