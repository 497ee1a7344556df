/**
 * The byte-level half of the POP3 client, with no I/O so it can be tested on
 * its own: splitting the incoming stream into lines, and collecting a
 * multi-line response (RFC 1939 §3) until its terminating "." line, undoing
 * dot-stuffing on the way. Work is linear in the bytes received, so a large
 * RETR costs no repeated copying.
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
}

/** Splits chunks into lines (CRLF or bare LF); lines come out without their line end. */
export class LineSplitter {
  private readonly lines: Buffer[] = [];
  private partial: Buffer[] = [];
  private partialLength = 0;

  /** @param maxLineBytes guards memory against a peer that never sends a line end */
  constructor(private readonly maxLineBytes = 1024 * 1024) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(LF, start); end >= 0; end = chunk.indexOf(LF, start)) {
      this.partial.push(chunk.subarray(start, end));
      const line = this.partial.length === 1 ? (this.partial[0] as Buffer) : Buffer.concat(this.partial);
      this.lines.push(line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line);
      this.partial = [];
      this.partialLength = 0;
      start = end + 1;
    }
    if (start < chunk.length) {
      this.partial.push(chunk.subarray(start));
      this.partialLength += chunk.length - start;
      if (this.partialLength > this.maxLineBytes) {
        throw new LineTooLongError(`a line longer than ${this.maxLineBytes} bytes`);
      }
    }
  }

  /** The next complete line, or undefined until one has arrived. */
  shift(): Buffer | undefined {
    return this.lines.shift();
  }

  /** Bytes received and not yet returned as lines (complete or not). */
  get buffered(): number {
    return this.lines.reduce((sum, line) => sum + line.length, 0) + this.partialLength;
  }
}

/**
 * Collects the lines of a multi-line response body. A line "." ends it; a
 * line starting with "." had one prepended by the server, which is removed.
 * The body comes back with CRLF line ends, as the message is on the wire.
 */
export class MultilineCollector {
  private readonly parts: Buffer[] = [];
  private complete = false;

  /** Feeds one line; returns true when it was the terminating ".". */
  accept(line: Buffer): boolean {
    if (this.complete) throw new Error('multi-line response already complete');
    if (line.length === 1 && line[0] === DOT) {
      this.complete = true;
      return true;
    }
    this.parts.push(line.length > 0 && line[0] === DOT ? line.subarray(1) : line, CRLF);
    return false;
  }

  get done(): boolean {
    return this.complete;
  }

  body(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const CRLF = Buffer.from('\r\n');

/** A status line: "+OK text" or "-ERR [CODE] text" (RFC 2449 extended response codes). */
export interface StatusLine {
  readonly ok: boolean;
  readonly text: string;
  /** RFC 2449 response code in brackets at the start of the text, e.g. IN-USE, SYS/TEMP, AUTH */
  readonly code?: string | undefined;
}

/** Parses a status line; undefined when the line is neither +OK nor -ERR (another protocol). */
export function parseStatusLine(line: Buffer | string): StatusLine | undefined {
  const text = typeof line === 'string' ? line : line.toString('latin1');
  const match = /^(\+OK|-ERR)(?:\s+(.*))?$/is.exec(text);
  if (match === null) return undefined;
  const rest = (match[2] ?? '').trim();
  const code = /^\[([^\]\s]+)\]\s*/.exec(rest);
  return {
    ok: match[1]?.toUpperCase() === '+OK',
    text: code === null ? rest : rest.slice(code[0].length),
    code: code?.[1]?.toUpperCase(),
  };
}
