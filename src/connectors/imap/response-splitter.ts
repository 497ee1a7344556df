/**
 * Cuts the bytes an IMAP server sends into whole responses (RFC 3501 §4.3,
 * §7): a response is one line, or several when it carries literals, each
 * announced by `{n}` at the end of a line and followed by exactly n bytes.
 *
 * It knows nothing of what the responses mean, so it can be fed chunks cut
 * anywhere (TLS records, TCP segments) and gives the same responses. Literals
 * are copied once into a buffer of their announced size, which is what makes
 * a bulk download cheap: no per-chunk tokenizing of message bodies.
 */

export interface ServerResponse {
  /**
   * The response's lines as latin1 text, CRLFs removed and joined with
   * nothing in between; each literal stays as its `{n}` marker, and its bytes
   * are in `literals`, in order.
   */
  readonly text: string;
  readonly literals: readonly Buffer[];
  /** the bytes as received, for handing a response on unchanged */
  wire(): Buffer;
}

export interface SplitterLimits {
  /** longest line (without literals) accepted */
  readonly maxLineBytes: number;
  /** largest literal accepted */
  readonly maxLiteralBytes: number;
  /** literals up to this size get their buffer when announced; larger ones are gathered as they arrive (64 MiB) */
  readonly preallocateUpTo?: number;
}

export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'InvalidResponse';
}

const PREALLOCATED_LITERAL_BYTES = 64 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
/** `{123}` (or `~{123}` for a binary literal) at the end of a line */
const LITERAL_MARKER = /~?\{(\d{1,12})\}$/;

export class ResponseSplitter {
  /** bytes of the current line, not yet ended by LF */
  private linePieces: Buffer[] = [];
  private lineBytes = 0;
  /** the current response's finished lines, each with its CRLF */
  private lines: Buffer[] = [];
  /** the same lines as latin1 text, without their line ends */
  private texts: string[] = [];
  private literals: Buffer[] = [];
  /**
   * The literal being received: one buffer of its announced size when that is
   * modest, else the pieces as they come, so a server announcing a huge
   * literal gets no memory before it sends the bytes.
   */
  private literal: {
    readonly size: number;
    filled: number;
    readonly whole: Buffer | null;
    readonly pieces: Buffer[];
  } | null = null;

  constructor(private readonly limits: SplitterLimits) {}

  /** true when no response is partly received */
  get idle(): boolean {
    return this.lineBytes === 0 && this.lines.length === 0;
  }

  /** Takes the next chunk; returns the responses it completed, in order. */
  push(chunk: Buffer): ServerResponse[] {
    const done: ServerResponse[] = [];
    for (let at = 0; at < chunk.length;) {
      const step = this.next(chunk, at);
      at = step.at;
      if (step.response === null) break;
      done.push(step.response);
    }
    return done;
  }

  /**
   * Reads `chunk` from `from` until one response is complete or the chunk
   * ends; says where it stopped, so a caller can stop after a response of its
   * choosing and leave the bytes after it unread.
   */
  next(chunk: Buffer, from = 0): { readonly response: ServerResponse | null; readonly at: number } {
    let at = from;
    while (at < chunk.length) {
      if (this.literal !== null) {
        at = this.fillLiteral(chunk, at);
        continue;
      }
      const lf = chunk.indexOf(LF, at);
      const end = lf === -1 ? chunk.length : lf + 1;
      this.lineBytes += end - at;
      if (this.lineBytes > this.limits.maxLineBytes) {
        throw new ResponseTooLargeError(
          `the server sent a line longer than ${this.limits.maxLineBytes} bytes`,
        );
      }
      this.linePieces.push(chunk.subarray(at, end));
      at = end;
      if (lf === -1) break;
      const response = this.endLine();
      if (response !== null) return { response, at };
    }
    return { response: null, at };
  }

  private fillLiteral(chunk: Buffer, at: number): number {
    const literal = this.literal!;
    const take = Math.min(literal.size - literal.filled, chunk.length - at);
    if (literal.whole !== null) chunk.copy(literal.whole, literal.filled, at, at + take);
    else literal.pieces.push(Buffer.from(chunk.subarray(at, at + take)));
    literal.filled += take;
    if (literal.filled === literal.size) {
      this.literals.push(literal.whole ?? Buffer.concat(literal.pieces, literal.size));
      this.literal = null;
    }
    return at + take;
  }

  /** A line ended: either it announces a literal, or the response is whole. */
  private endLine(): ServerResponse | null {
    // Chunks are reused by nobody, but a subarray would pin a whole socket chunk; one copy per line.
    const line =
      this.linePieces.length === 1 ? Buffer.from(this.linePieces[0]!) : Buffer.concat(this.linePieces);
    this.linePieces = [];
    this.lineBytes = 0;
    this.lines.push(line);
    const trimmed = line.toString('latin1', 0, line.length - (endsWithCrlf(line) ? 2 : 1));
    this.texts.push(trimmed);
    const marker = LITERAL_MARKER.exec(trimmed);
    if (marker !== null) {
      const size = Number(marker[1]);
      if (size > this.limits.maxLiteralBytes) {
        throw new ResponseTooLargeError(
          `the server announced a literal of ${size} bytes, over the limit of ${this.limits.maxLiteralBytes}`,
        );
      }
      if (size > 0) {
        const whole =
          size <= (this.limits.preallocateUpTo ?? PREALLOCATED_LITERAL_BYTES)
            ? Buffer.allocUnsafe(size)
            : null;
        this.literal = { size, filled: 0, whole, pieces: [] };
      } else {
        this.literals.push(Buffer.alloc(0));
      }
      return null;
    }
    return this.finish();
  }

  private finish(): ServerResponse {
    const lines = this.lines;
    const literals = this.literals;
    const text = this.texts.length === 1 ? this.texts[0]! : this.texts.join('');
    this.lines = [];
    this.texts = [];
    this.literals = [];
    return {
      text,
      literals,
      wire: () =>
        Buffer.concat(
          lines.flatMap((line, index) => (index < literals.length ? [line, literals[index]!] : [line])),
        ),
    };
  }
}

function endsWithCrlf(line: Buffer): boolean {
  return line.length >= 2 && line[line.length - 2] === CR;
}
