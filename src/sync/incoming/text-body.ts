/**
 * Decoding a message's inline text parts without the full parser.
 *
 * postal-mime reads a body line by line with an await per line, which makes
 * the text of an ordinary email most of its parse cost. For the common shapes
 * (UTF-8 or ASCII, 7bit/8bit or quoted-printable, not format=flowed) the
 * decoding is simple enough to do in one pass over the bytes, so parse.ts
 * hands postal-mime the message with these bodies replaced by markers and puts
 * the text decoded here in their place.
 *
 * The result must be exactly what postal-mime gives for the same part, so the
 * rules below follow what it does, not what RFC 2045 allows:
 * - a line ends at LF; any CRs just before the LF are dropped;
 * - every line of the body comes out followed by LF, except a quoted-printable
 *   line that ends in '=' (a soft break);
 * - in quoted-printable, '=' followed by two hex digits is that byte, and any
 *   other '=' stays as it is;
 * - the bytes are decoded as UTF-8 (a missing charset means UTF-8; US-ASCII
 *   parts qualify only when every byte is ASCII, where all decoders agree).
 * Anything outside these rules is left to postal-mime (null). Pure.
 */
import { isUtf8 } from 'node:buffer';
import { headerParameter, type ScannedPart } from './mime-scan.js';

const LF = 0x0a;
const CR = 0x0d;
const EQUALS = 0x3d;

/** Transfer encodings decoded here, as mime-scan spells them ('' when absent). */
const PLAIN_ENCODINGS: ReadonlySet<string> = new Set(['', '7bit', '8bit', 'binary']);

const utf8 = new TextDecoder('utf-8');

/** Whether the part is one of the message's body texts (postal-mime's rule), and not an attachment. */
export function isInlineText(part: ScannedPart): boolean {
  return (
    part.children.length === 0 &&
    part.boundary === null &&
    part.disposition !== 'attachment' &&
    (part.mimeType === 'text/plain' || part.mimeType === 'text/html')
  );
}

type Charset = 'utf-8' | 'ascii';

function charsetOf(contentType: string | null): Charset | null {
  if (contentType === null) return 'utf-8';
  // RFC 2231 parameters (charset*=, format*0=), format=flowed, and a parameter name that appears twice
  // (once perhaps inside another parameter's quotes) are postal-mime's to read.
  if (/format\s*\*/i.test(contentType)) return null;
  if ((contentType.match(/charset/gi)?.length ?? 0) > 1 || (contentType.match(/format/gi)?.length ?? 0) > 1)
    return null;
  if (/charset\s*\*/i.test(contentType)) return null;
  if (/^flowed$/i.test(headerParameter(contentType, 'format') ?? '')) return null;
  const charset = headerParameter(contentType, 'charset')?.trim().toLowerCase();
  if (charset === undefined || charset === '' || charset === 'utf-8' || charset === 'utf8') return 'utf-8';
  if (charset === 'us-ascii' || charset === 'ascii') return 'ascii';
  return null;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

/**
 * Calls `line` with the [start, end) of each line of the body, without its
 * line break or the CRs before it. A body that reaches the end of the message
 * has no empty line after its last line break; one that stops at a delimiter
 * does (the break before the delimiter belongs to the delimiter).
 */
function eachLine(raw: Buffer, start: number, end: number, line: (from: number, to: number) => void): void {
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = raw.indexOf(LF, lineStart);
    const terminated = lineEnd >= 0 && lineEnd < end;
    if (!terminated) lineEnd = end;
    let contentEnd = lineEnd;
    while (contentEnd > lineStart && raw[contentEnd - 1] === CR) contentEnd -= 1;
    line(lineStart, contentEnd);
    lineStart = lineEnd + 1;
    if (terminated && lineStart === end && end < raw.length) line(end, end);
  }
}

/** Quoted-printable lines into bytes, each line followed by LF unless it ends in a soft break. */
function decodeQuotedPrintable(raw: Buffer, start: number, end: number, into: Buffer): number {
  let out = 0;
  eachLine(raw, start, end, (from, to) => {
    const soft = to > from && raw[to - 1] === EQUALS;
    const stop = soft ? to - 1 : to;
    for (let at = from; at < stop; at++) {
      const byte = raw[at]!;
      if (byte === EQUALS && at + 2 < stop) {
        const high = hexValue(raw[at + 1]);
        const low = hexValue(raw[at + 2]);
        if (high >= 0 && low >= 0) {
          into[out++] = (high << 4) | low;
          at += 2;
          continue;
        }
      }
      into[out++] = byte;
    }
    if (!soft) into[out++] = LF;
  });
  return out;
}

/** 7bit, 8bit and binary lines into bytes, each line followed by LF. */
function joinLines(raw: Buffer, start: number, end: number, into: Buffer): number {
  let out = 0;
  eachLine(raw, start, end, (from, to) => {
    out += raw.copy(into, out, from, to);
    into[out++] = LF;
  });
  return out;
}

/**
 * Valid UTF-8 without a byte order mark reads the same through Buffer's
 * decoder, which is much faster; anything else goes through TextDecoder
 * (which drops a BOM and replaces bad sequences), as the parser does.
 */
function utf8Text(bytes: Buffer): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return !bom && isUtf8(bytes) ? bytes.toString('utf8') : utf8.decode(bytes);
}

function isAscii(bytes: Buffer): boolean {
  for (let index = 0; index < bytes.length; index++) if (bytes[index]! >= 0x80) return false;
  return true;
}

/**
 * The text of an inline text part as postal-mime would give it, or null when
 * the part is not one this module decodes (left to the parser).
 */
export function decodeTextBody(raw: Buffer, part: ScannedPart): string | null {
  if (!isInlineText(part) || part.bodyEnd <= part.bodyStart) return null;
  const quotedPrintable = part.transferEncoding === 'quoted-printable';
  if (!quotedPrintable && !PLAIN_ENCODINGS.has(part.transferEncoding)) return null;
  const charset = charsetOf(part.contentType);
  if (charset === null) return null;
  // Decoding never grows a line, and each line gains at most an LF where its break was (or one more at the end).
  const into = Buffer.allocUnsafe(part.bodyEnd - part.bodyStart + 2);
  const decode = quotedPrintable ? decodeQuotedPrintable : joinLines;
  const length = decode(raw, part.bodyStart, part.bodyEnd, into);
  const bytes = into.subarray(0, length);
  if (charset === 'ascii' && !isAscii(bytes)) return null;
  return utf8Text(bytes);
}
