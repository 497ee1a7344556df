/**
 * Where messages are parsed: on the calling thread, or on a small pool of
 * worker threads.
 *
 * Parsing is the largest piece of CPU work per message, and the worker's main
 * thread also drives IMAP, the pipeline and the database client; measured on
 * two cores, the main thread was the limit while a good part of the machine
 * sat idle (docs/performance.md). A pool moves parsing onto the spare cores.
 * The outcome is the same either way; only where the CPU is spent changes.
 *
 * A thread that dies (out of memory on a pathological message, say) fails the
 * messages it had with a parse error, which the pipeline records as an item
 * failure, and is replaced for the next message.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { parseEmail, type ParsedAttachment, type ParsedEmail, type ParseOutcome } from './parse.js';

export interface ParseOptions {
  readonly rfc822Attachments?: boolean;
}

export interface EmailParser {
  parse(raw: Buffer, options?: ParseOptions): Promise<ParseOutcome>;
}

/** Parsing on the calling thread. */
export const inlineParser: EmailParser = { parse: (raw, options = {}) => parseEmail(raw, options) };

/** What goes to a parse thread and comes back. */
export interface ParseRequest {
  readonly id: number;
  readonly raw: Uint8Array;
  readonly rfc822Attachments: boolean;
}

/** An outcome as it crosses threads: Buffers arrive as plain Uint8Arrays. */
export type WireAttachment = Omit<ParsedAttachment, 'content'> & { readonly content: Uint8Array };
export type WireOutcome =
  | { readonly ok: false; readonly error: string }
  | {
      readonly ok: true;
      readonly email: Omit<ParsedEmail, 'attachments'> & { readonly attachments: readonly WireAttachment[] };
    };

/** The first message of a thread: its code loaded. */
export interface ParseThreadReady {
  readonly ready: true;
}

export interface ParseReply {
  readonly id: number;
  readonly outcome: WireOutcome;
}

// Built code runs the compiled .js; tests and benchmarks run the sources, through tsx.
const PARSE_WORKER = new URL(
  `./parse-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);
const TSX_THREAD = new URL('../../../scripts/tsx-thread.mjs', import.meta.url);

/** One thread per core beyond the first (which the worker's main thread uses), at most four. */
export function defaultParseThreads(): number {
  return Math.min(4, Math.max(0, availableParallelism() - 1));
}

interface Pending {
  /** the caller's bytes (what was sent is a copy handed over to the thread) */
  readonly raw: Buffer;
  readonly options: ParseOptions;
  resolve(outcome: ParseOutcome): void;
}

/** How a thread ended: it never came up (the code could not be loaded), or it died while working. */
type ThreadEnd = { readonly started: boolean; readonly reason: string };

class ParseThread {
  private readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  alive = true;

  private started = false;

  constructor(
    script: URL,
    onExit: (thread: ParseThread, end: ThreadEnd, pending: readonly Pending[]) => void,
  ) {
    this.worker = script.pathname.endsWith('.ts')
      ? new Worker(TSX_THREAD, { workerData: { script: script.href } })
      : new Worker(script);
    this.worker.unref();
    this.worker.on('message', (reply: ParseReply | ParseThreadReady) => {
      if ('ready' in reply) {
        this.started = true;
        return;
      }
      const task = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      task?.resolve(rehydrate(reply.outcome));
    });
    const fail = (reason: string) => {
      if (!this.alive) return;
      this.alive = false;
      const pending = [...this.pending.values()];
      this.pending.clear();
      onExit(this, { started: this.started, reason }, pending);
    };
    this.worker.on('error', (error) => fail(`the parser stopped: ${error.message}`.slice(0, 300)));
    this.worker.on('exit', (code) => fail(`the parser stopped (exit code ${code})`));
  }

  send(request: ParseRequest, task: Pending): void {
    this.pending.set(request.id, task);
    this.worker.postMessage(request, [request.raw.buffer as ArrayBuffer]);
  }

  terminate(): Promise<number> {
    this.alive = false;
    return this.worker.terminate();
  }
}

/** The rest of the pipeline expects Buffers. */
function rehydrate(outcome: WireOutcome): ParseOutcome {
  if (!outcome.ok) return outcome;
  const attachments = outcome.email.attachments.map((part): ParsedAttachment => ({
    ...part,
    content: Buffer.from(part.content.buffer, part.content.byteOffset, part.content.byteLength),
  }));
  return { ok: true, email: { ...outcome.email, attachments } };
}

/**
 * The parser a worker uses: a pool of `threads` (default: one per core beyond
 * the first, up to four), or the calling thread when that comes to none.
 */
export function createParsePool(
  threads: number = defaultParseThreads(),
  logger?: Pick<Logger, 'warn'>,
): ParsePool | undefined {
  return threads > 0 ? new ParsePool(threads, { logger }) : undefined;
}

export class ParsePool implements EmailParser {
  private threads: ParseThread[] = [];
  private nextId = 1;
  private closed = false;
  private unavailableReason: string | null = null;

  private readonly script: URL;

  constructor(
    private readonly size: number,
    private readonly options: {
      /** the threads' code: parse-worker (tests give another to see threads fail) */
      readonly script?: URL;
      /** told once when threads cannot be started and parsing falls back to the calling thread */
      readonly logger?: Pick<Logger, 'warn'> | undefined;
    } = {},
  ) {
    if (size < 1) throw new Error('a parse pool needs at least one thread');
    this.script = options.script ?? PARSE_WORKER;
  }

  parse(raw: Buffer, options: ParseOptions = {}): Promise<ParseOutcome> {
    if (this.closed || this.unavailable) return parseEmail(raw, options);
    let thread: ParseThread;
    try {
      thread = this.leastBusy();
    } catch (error) {
      this.giveUpThreads(error instanceof Error ? error.message : String(error));
      return parseEmail(raw, options);
    }
    const id = this.nextId++;
    // An exact copy, handed over rather than cloned: `raw` may be a view into a larger buffer.
    const copy = new Uint8Array(raw);
    return new Promise((resolve) =>
      thread.send(
        { id, raw: copy, rfc822Attachments: options.rfc822Attachments === true },
        { raw, options, resolve },
      ),
    );
  }

  /** Threads could not be started here (the worker code is not where it should be): parse inline from now on. */
  get unavailable(): boolean {
    return this.unavailableReason !== null;
  }

  /** Stops the threads; later calls parse on the calling thread. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  private giveUpThreads(reason: string): void {
    if (this.unavailableReason !== null) return;
    this.unavailableReason = reason;
    this.options.logger?.warn({ reason }, 'parse threads could not start; parsing on the main thread');
  }

  private ended(dead: ParseThread, end: ThreadEnd, pending: readonly Pending[]): void {
    this.threads = this.threads.filter((other) => other !== dead);
    if (this.closed || !end.started) {
      // Nothing was parsed there (or the pool is closing): the messages are parsed here instead.
      if (!end.started && !this.closed) this.giveUpThreads(end.reason);
      for (const task of pending) void parseEmail(task.raw, task.options).then(task.resolve);
      return;
    }
    // It died on one of these messages, not on all of them: each gets a thread of its own, so only
    // the message that kills a thread by itself fails (as an item); the others are parsed as usual.
    void pending.reduce(
      (previous, task) => previous.then(() => this.parseAlone(task, end.reason)),
      Promise.resolve(),
    );
  }

  /** One message on a thread of its own, which ends with it. */
  private parseAlone(task: Pending, previousReason: string): Promise<void> {
    return new Promise((done) => {
      let thread: ParseThread;
      const finish = (outcome: ParseOutcome) => {
        task.resolve(outcome);
        void thread.terminate();
        done();
      };
      try {
        thread = new ParseThread(this.script, (_dead, end) => finish({ ok: false, error: end.reason }));
      } catch {
        task.resolve({ ok: false, error: previousReason });
        done();
        return;
      }
      const copy = new Uint8Array(task.raw);
      thread.send(
        { id: this.nextId++, raw: copy, rfc822Attachments: task.options.rfc822Attachments === true },
        { raw: task.raw, options: task.options, resolve: finish },
      );
    });
  }

  private leastBusy(): ParseThread {
    if (this.threads.length < this.size) {
      const thread = new ParseThread(this.script, (dead, end, pending) => this.ended(dead, end, pending));
      this.threads.push(thread);
      return thread;
    }
    return this.threads.reduce((best, thread) => (thread.pending.size < best.pending.size ? thread : best));
  }
}
