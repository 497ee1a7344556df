/**
 * imapflow re-encodes every server response as text for its log, and does so
 * even when logging is off. Mailroom always turns imapflow's logger off
 * (options.ts: the log would carry protocol traffic), so that text is thrown
 * away. For an untagged FETCH it means walking the parsed response once more
 * and formatting it (message bodies shortened to a size note), once per
 * message; skipping it made the text-only end-to-end benchmark about 7 %
 * faster (docs/performance.md).
 *
 * This wraps the encoder imapflow shares between its modules so that exactly
 * that case returns nothing: the logging form (`isLogging`) of an untagged
 * FETCH response, whose text imapflow only ever hands to its log. Commands,
 * error texts and every other response are encoded as before. With a logger
 * given to imapflow (tests, debugging), its FETCH lines are therefore empty.
 *
 * imapflow's modules copy the encoder when they load, so the wrapper must be
 * in place first: code takes ImapFlow from `./client.ts`, which installs it
 * and only then loads imapflow (lint rules keep every other import of
 * imapflow's code out).
 */
import { createRequire } from 'node:module';

export type ResponseCompiler = (
  response: unknown,
  options?: { readonly isLogging?: boolean },
) => Promise<Buffer>;

const wrapped = Symbol.for('mailroom.imapflow.quietFetchLog');
type Wrapped = ResponseCompiler & { readonly [wrapped]?: true };

const NOTHING = Buffer.alloc(0);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `* 12 FETCH (…)` as imapflow's parser shapes it: tag `*`, a number as command, FETCH first. */
export function isUntaggedFetch(response: unknown): boolean {
  if (!isRecord(response) || response.tag !== '*') return false;
  if (typeof response.command !== 'string' || !/^\d+$/.test(response.command)) return false;
  const attributes = response.attributes;
  if (!Array.isArray(attributes)) return false;
  const first: unknown = attributes[0];
  return isRecord(first) && typeof first.value === 'string' && first.value.toUpperCase() === 'FETCH';
}

/** The encoder, minus the log text of untagged FETCH responses. Wrapping twice changes nothing. */
export function quietFetchLogging(compile: ResponseCompiler): ResponseCompiler {
  if ((compile as Wrapped)[wrapped]) return compile;
  const quiet = (response: unknown, options?: { readonly isLogging?: boolean }) =>
    options?.isLogging === true && isUntaggedFetch(response)
      ? Promise.resolve(NOTHING)
      : compile(response, options);
  return Object.assign(quiet, { [wrapped]: true as const });
}

/** Whether imapflow's shared encoder is the wrapped one (tests, and the check below). */
export function fetchLoggingIsQuiet(): boolean {
  return Boolean((handler().compiler as Wrapped)[wrapped]);
}

interface ImapHandlerModule {
  compiler: ResponseCompiler;
}

const require = createRequire(import.meta.url);

function handler(): ImapHandlerModule {
  return require('imapflow/lib/handler/imap-handler.js') as ImapHandlerModule;
}

/** Puts the wrapper in place; must run before imapflow's main module does. Repeating it is harmless. */
export function quietenFetchLogging(): void {
  const shared = handler();
  if (typeof shared.compiler !== 'function') {
    throw new Error('imapflow has no shared response encoder any more: remove quiet-fetch-log.ts');
  }
  // Node's module loader may list imapflow before running it; only a run module holds its own copy.
  const ran = require.cache[require.resolve('imapflow')]?.loaded === true;
  if (ran && !fetchLoggingIsQuiet()) {
    // Its modules hold the original encoder now; wrapping it here would only look like it worked.
    throw new Error(
      "imapflow was loaded before quiet-fetch-log.ts: import ImapFlow from 'connectors/imap/client'",
    );
  }
  shared.compiler = quietFetchLogging(shared.compiler);
}
