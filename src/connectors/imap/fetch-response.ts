/**
 * What one server response means to a bulk body download (`UID FETCH set
 * (UID BODY.PEEK[])`): the tagged completion of the command, a message with
 * its UID and bytes, or something else, which the caller hands back to
 * imapflow unread (EXISTS, EXPUNGE, a flag change, BYE…).
 *
 * Only the FETCH data items are parsed, and only as far as RFC 3501 §7.4.2
 * needs to find UID and BODY[]: other items are skipped whole, whatever
 * lists, strings or literals they hold.
 */
import type { ServerResponse } from './response-splitter.js';

export type DownloadResponse =
  | {
      readonly kind: 'completion';
      readonly status: 'OK' | 'NO' | 'BAD';
      readonly code?: string;
      readonly text: string;
    }
  | { readonly kind: 'message'; readonly uid: number; readonly source: Buffer }
  | { readonly kind: 'other' };

export class InvalidFetchResponseError extends Error {
  override readonly name = 'InvalidFetchResponseError';
  /** imapflow's code for a reply it cannot make sense of, so failures are classified alike */
  readonly code = 'InvalidResponse';
}

const COMPLETION = /^(\S+) (OK|NO|BAD)(?: \[([^\]]*)\])? ?(.*)$/i;
const UNTAGGED_FETCH = /^\* \d+ FETCH \(/i;

export function readDownloadResponse(response: ServerResponse, tag: string): DownloadResponse {
  const { text } = response;
  if (text.startsWith(`${tag} `)) {
    const completion = COMPLETION.exec(text);
    if (completion === null)
      throw new InvalidFetchResponseError(`unreadable completion: ${text.slice(0, 100)}`);
    const code = completion[3]?.split(' ')[0]?.toUpperCase();
    return {
      kind: 'completion',
      status: completion[2]!.toUpperCase() as 'OK' | 'NO' | 'BAD',
      ...(code ? { code } : {}),
      text: completion[4]!,
    };
  }
  const start = UNTAGGED_FETCH.exec(text);
  if (start === null) return { kind: 'other' };
  const items = fetchItems(text, start[0].length, response.literals);
  const uid = items.get('UID');
  const body = items.get('BODY[]');
  if (body === undefined) return { kind: 'other' };
  if (uid === undefined || uid.kind !== 'atom' || !/^\d+$/.test(uid.text)) {
    throw new InvalidFetchResponseError('a FETCH response with a body but no UID');
  }
  if (body.kind === 'atom') {
    // NIL: the server has no body for it; the message is treated like an expunged one.
    return { kind: 'other' };
  }
  if (body.kind !== 'bytes') throw new InvalidFetchResponseError('a FETCH response whose body is a list');
  return { kind: 'message', uid: Number(uid.text), source: body.bytes };
}

type ItemValue =
  | { readonly kind: 'atom'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'list' };

/** The data items of a FETCH response, from just after its opening parenthesis. */
function fetchItems(text: string, from: number, literals: readonly Buffer[]): Map<string, ItemValue> {
  const items = new Map<string, ItemValue>();
  const cursor = { at: from, literal: 0 };
  for (;;) {
    skipSpaces(text, cursor);
    if (cursor.at >= text.length) throw new InvalidFetchResponseError('a FETCH response that does not end');
    if (text[cursor.at] === ')') return items;
    const name = itemName(text, cursor).toUpperCase();
    skipSpaces(text, cursor);
    items.set(name, itemValue(text, cursor, literals));
  }
}

function skipSpaces(text: string, cursor: { at: number }): void {
  while (text[cursor.at] === ' ') cursor.at += 1;
}

/** UID, FLAGS, BODY[], BODY[HEADER.FIELDS (A B)]<0>…: a section may hold spaces and lists. */
function itemName(text: string, cursor: { at: number }): string {
  const start = cursor.at;
  let depth = 0;
  while (cursor.at < text.length) {
    const char = text[cursor.at]!;
    if (char === '[') depth += 1;
    else if (char === ']') depth -= 1;
    else if (depth === 0 && (char === ' ' || char === ')')) break;
    cursor.at += 1;
  }
  if (cursor.at === start) throw new InvalidFetchResponseError('a FETCH item without a name');
  return text.slice(start, cursor.at);
}

function itemValue(
  text: string,
  cursor: { at: number; literal: number },
  literals: readonly Buffer[],
): ItemValue {
  const char = text[cursor.at];
  if (char === '{' || (char === '~' && text[cursor.at + 1] === '{')) {
    return { kind: 'bytes', bytes: takeLiteral(text, cursor, literals) };
  }
  if (char === '"') return { kind: 'bytes', bytes: Buffer.from(quoted(text, cursor), 'latin1') };
  if (char === '(') {
    skipList(text, cursor, literals);
    return { kind: 'list' };
  }
  const start = cursor.at;
  while (cursor.at < text.length && text[cursor.at] !== ' ' && text[cursor.at] !== ')') cursor.at += 1;
  if (cursor.at === start) throw new InvalidFetchResponseError('a FETCH item without a value');
  return { kind: 'atom', text: text.slice(start, cursor.at) };
}

function takeLiteral(
  text: string,
  cursor: { at: number; literal: number },
  literals: readonly Buffer[],
): Buffer {
  const close = text.indexOf('}', cursor.at);
  const literal = literals[cursor.literal];
  if (close === -1 || literal === undefined)
    throw new InvalidFetchResponseError('a literal marker without its bytes');
  cursor.at = close + 1;
  cursor.literal += 1;
  return literal;
}

function quoted(text: string, cursor: { at: number }): string {
  let value = '';
  cursor.at += 1;
  while (cursor.at < text.length) {
    const char = text[cursor.at]!;
    cursor.at += 1;
    if (char === '"') return value;
    if (char === '\\') {
      value += text[cursor.at] ?? '';
      cursor.at += 1;
    } else {
      value += char;
    }
  }
  throw new InvalidFetchResponseError('a quoted string that does not end');
}

/** Skips a parenthesized list, nested lists, strings and literals included. */
function skipList(text: string, cursor: { at: number; literal: number }, literals: readonly Buffer[]): void {
  let depth = 0;
  while (cursor.at < text.length) {
    const char = text[cursor.at]!;
    if (char === '"') {
      quoted(text, cursor);
      continue;
    }
    if (char === '{') {
      takeLiteral(text, cursor, literals);
      continue;
    }
    cursor.at += 1;
    if (char === '(') depth += 1;
    else if (char === ')' && --depth === 0) return;
  }
  throw new InvalidFetchResponseError('a list that does not end');
}
