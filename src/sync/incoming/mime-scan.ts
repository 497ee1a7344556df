/**
 * A light scan of a message's MIME structure: where each part's headers and
 * body are, its type and transfer encoding, without decoding any body. The
 * parser uses it to hold back the bodies of encoded attachments (they are most
 * of the bytes of a mailbox and most of the cost of a full parse) and to store
 * them as they came, decoded only when somebody reads them. Pure.
 *
 * The scan is deliberately conservative: it only needs to be right about the
 * parts it reports as holdable, and the parser checks afterwards that the full
 * parser saw exactly those parts (parse.ts), falling back to a full parse
 * otherwise. So an odd message costs time, never content.
 */

export interface ScannedPart {
  /** lower-case `type/subtype`; `text/plain` when the part has no Content-Type */
  readonly mimeType: string;
  /** the Content-Type header as written (unfolded), null when absent */
  readonly contentType: string | null;
  /** lower-case Content-Transfer-Encoding token, '' when absent */
  readonly transferEncoding: string;
  /** lower-case disposition token ('attachment', 'inline'), '' when absent */
  readonly disposition: string;
  /** the multipart boundary, for multipart parts that declare one */
  readonly boundary: string | null;
  /** offset of the first header byte */
  readonly start: number;
  /** offset of the first body byte (after the blank line) */
  readonly bodyStart: number;
  /** offset just past the last body byte (the line break before a delimiter belongs to the delimiter) */
  readonly bodyEnd: number;
  readonly children: readonly ScannedPart[];
  /** a multipart whose closing delimiter never came */
  readonly unterminated: boolean;
}

export interface MimeScanLimits {
  /** deeper nesting is not scanned (and nothing below it is held back) */
  readonly maxDepth: number;
  readonly maxParts: number;
}

/** The most parts a scan lists; a message with more has parts the scan did not see. */
export const MIME_SCAN_MAX_PARTS = 500;

const DEFAULT_LIMITS: MimeScanLimits = { maxDepth: 32, maxParts: MIME_SCAN_MAX_PARTS };

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

/** Offset of the first byte after the header block's blank line, and where the headers end. */
export function headerEnd(
  raw: Buffer,
  start: number,
  end: number,
): { headersEnd: number; bodyStart: number } {
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = raw.indexOf(LF, lineStart);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    const content = lineEnd > lineStart && raw[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (content === lineStart) return { headersEnd: lineStart, bodyStart: Math.min(lineEnd + 1, end) };
    lineStart = lineEnd + 1;
  }
  // Headers only, no body.
  return { headersEnd: end, bodyStart: end };
}

/** The unfolded header fields of a block, names lower-cased, first occurrence of each kept. */
export function contentHeaders(raw: Buffer, start: number, end: number): Map<string, string> {
  const text = raw.toString('latin1', start, end);
  const fields = new Map<string, string>();
  let current: string | null = null;
  const flush = () => {
    if (current === null) return;
    const colon = current.indexOf(':');
    if (colon > 0) {
      const name = current.slice(0, colon).trim().toLowerCase();
      if (!fields.has(name)) fields.set(name, current.slice(colon + 1).trim());
    }
  };
  for (const line of text.split('\n')) {
    const clean = line.endsWith('\r') ? line.slice(0, -1) : line;
    if ((clean.startsWith(' ') || clean.startsWith('\t')) && current !== null) current += clean;
    else {
      flush();
      current = clean;
    }
  }
  flush();
  return fields;
}

function stripComments(value: string): string {
  return value.replace(/\([^()]*\)/g, ' ');
}

/** The first token of a structured header value, lower-cased (`multipart/mixed`, `base64`). */
export function headerToken(value: string | undefined): string {
  if (value === undefined) return '';
  const match = /^\s*([^;\s]+)/.exec(stripComments(value));
  // A quoted token ("text/html") means the same as a bare one.
  return match ? match[1]!.replace(/^"(.*)"$/, '$1').toLowerCase() : '';
}

/** A parameter of a structured header (`boundary`, `charset`), quotes removed; null when absent. */
export function headerParameter(value: string | undefined, name: string): string | null {
  if (value === undefined) return null;
  const pattern = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
  const match = pattern.exec(value);
  if (!match) return null;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!;
}

interface Delimiter {
  /** where the line break before the delimiter line starts (the end of the previous body) */
  readonly before: number;
  /** the first byte after the delimiter line */
  readonly after: number;
  readonly closing: boolean;
}

/** Delimiter lines `--boundary` / `--boundary--` (trailing whitespace allowed) at line starts within [from, end). */
function delimiters(raw: Buffer, boundary: string, from: number, end: number): Delimiter[] {
  const marker = Buffer.from(`--${boundary}`, 'latin1');
  const found: Delimiter[] = [];
  let at = from;
  while (at < end) {
    const hit = raw.indexOf(marker, at);
    if (hit < 0 || hit + marker.length > end) break;
    at = hit + marker.length;
    if (hit !== from && raw[hit - 1] !== LF) continue;
    let cursor = hit + marker.length;
    let closing = false;
    if (raw[cursor] === DASH && raw[cursor + 1] === DASH) {
      closing = true;
      cursor += 2;
    }
    while (cursor < end && (raw[cursor] === 0x20 || raw[cursor] === 0x09)) cursor += 1;
    if (cursor < end && raw[cursor] !== CR && raw[cursor] !== LF) continue;
    if (raw[cursor] === CR) cursor += 1;
    if (raw[cursor] === LF) cursor += 1;
    let before = hit;
    if (before > from && raw[before - 1] === LF) before -= 1;
    if (before > from && raw[before - 1] === CR) before -= 1;
    found.push({ before, after: Math.min(cursor, end), closing });
    if (closing) break;
  }
  return found;
}

class Scanner {
  private parts = 0;

  constructor(
    private readonly raw: Buffer,
    private readonly limits: MimeScanLimits,
  ) {}

  part(start: number, end: number, depth: number): ScannedPart {
    this.parts += 1;
    const { headersEnd, bodyStart } = headerEnd(this.raw, start, end);
    const headers = contentHeaders(this.raw, start, headersEnd);
    const contentType = headers.get('content-type');
    const mimeType = headerToken(contentType) || 'text/plain';
    const base = {
      mimeType,
      contentType: contentType ?? null,
      transferEncoding: headerToken(headers.get('content-transfer-encoding')),
      disposition: headerToken(headers.get('content-disposition')),
      start,
      bodyStart,
      bodyEnd: end,
    };
    const boundary = mimeType.startsWith('multipart/') ? headerParameter(contentType, 'boundary') : null;
    if (boundary === null || boundary === '' || depth >= this.limits.maxDepth) {
      return { ...base, boundary, children: [], unterminated: false };
    }
    const lines = delimiters(this.raw, boundary, bodyStart, end);
    const children: ScannedPart[] = [];
    for (let i = 0; i < lines.length; i++) {
      const delimiter = lines[i]!;
      if (delimiter.closing) break;
      const next = lines[i + 1];
      if (this.parts >= this.limits.maxParts) break;
      children.push(this.part(delimiter.after, next ? next.before : end, depth + 1));
    }
    const unterminated = lines.length === 0 || !lines[lines.length - 1]!.closing;
    return { ...base, boundary, children, unterminated };
  }
}

/** The message's part tree; never throws. */
export function scanMime(raw: Buffer, limits: MimeScanLimits = DEFAULT_LIMITS): ScannedPart {
  return new Scanner(raw, limits).part(0, raw.length, 0);
}

/** Parts whose bodies are worth holding back: at least this many encoded bytes. */
export const HOLD_MIN_BYTES = 2048;

/**
 * Whether a leaf part's body can be kept as it came: a base64 body (whose
 * alphabet has no '-', so no delimiter hides in it) of a part that the parser
 * treats as an attachment whatever its disposition: neither text (text parts
 * can be the message body, and calendar parts are normalised) nor a message
 * (forwarded emails are parsed), nor multipart.
 */
export function isHoldable(part: ScannedPart): boolean {
  if (part.children.length > 0 || part.boundary !== null) return false;
  if (part.transferEncoding !== 'base64') return false;
  if (part.mimeType.startsWith('text/') || part.mimeType.startsWith('message/')) return false;
  if (part.mimeType.startsWith('multipart/') || !part.mimeType.includes('/')) return false;
  return part.bodyEnd - part.bodyStart >= HOLD_MIN_BYTES;
}

/** Every holdable leaf, in document order; none below an unterminated multipart. */
export function holdableParts(root: ScannedPart): ScannedPart[] {
  const found: ScannedPart[] = [];
  const visit = (part: ScannedPart) => {
    if (part.unterminated) return;
    if (isHoldable(part)) found.push(part);
    for (const child of part.children) visit(child);
  };
  // The top-level part itself is never held back: a message that is only an attachment keeps its full parse.
  for (const child of root.unterminated ? [] : root.children) visit(child);
  return found;
}

/**
 * The decoded size of a base64 body without decoding or even reading it all:
 * encoders write lines of one length, so the line breaks are counted from the
 * first line, and the padding from the end. Exact for such bodies; for a body
 * with ragged lines it is an estimate (the stored bytes decode to the truth).
 */
export function base64DecodedSize(body: Buffer): number {
  let end = body.length;
  while (end > 0 && (body[end - 1] === LF || body[end - 1] === CR || body[end - 1] === 0x20)) end -= 1;
  if (end === 0) return 0;
  const firstBreak = body.indexOf(LF);
  let characters = end;
  if (firstBreak >= 0 && firstBreak < end) {
    const breakLength = firstBreak > 0 && body[firstBreak - 1] === CR ? 2 : 1;
    characters = end - Math.floor(end / (firstBreak + 1)) * breakLength;
  }
  let padding = 0;
  if (body[end - 1] === 0x3d) padding += 1;
  if (end > 1 && body[end - 2] === 0x3d) padding += 1;
  return Math.max(0, Math.floor((characters * 3) / 4) - padding);
}
