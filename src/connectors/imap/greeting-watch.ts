/**
 * imapflow ignores a first line that is not an IMAP greeting and only fails
 * when its greeting timer runs out, so an SMTP or POP3 server on the IMAP port
 * looks like a slow server. This watches the first line on the socket so the
 * probe can fail at once and say what answered.
 */
import { Socket } from 'node:net';
import type { ImapFlow } from 'imapflow';
import { propertyOf } from '../node-errors.js';

/** More than this without a line end is not a text protocol greeting. */
const MAX_GREETING_BYTES = 1024;

export function looksLikeImapGreeting(line: string): boolean {
  return /^\* (?:OK|PREAUTH|BYE)\b/i.test(line);
}

/**
 * Calls `onLine` once with the first line the server sends (without CRLF,
 * latin1), or with what arrived when it is too long to be a greeting. Must be
 * called right after `client.connect()` starts: imapflow creates its socket
 * synchronously inside `connect()` (no proxy), before any data can arrive.
 * Returns false when the socket is not reachable (another imapflow version);
 * the probe then falls back to imapflow's greeting timeout.
 */
export function watchFirstLine(client: ImapFlow, onLine: (line: string) => void): boolean {
  // `socket` is not part of imapflow's typed API, hence the runtime check.
  const socket = propertyOf(client, 'socket');
  if (!(socket instanceof Socket)) return false;
  let received = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    received = Buffer.concat([received, chunk]);
    const end = received.indexOf(0x0a);
    if (end < 0 && received.length < MAX_GREETING_BYTES) return;
    socket.off('data', onData);
    const line = received.subarray(0, end < 0 ? MAX_GREETING_BYTES : end).toString('latin1');
    onLine(line.replace(/\r$/, ''));
  };
  socket.on('data', onData);
  return true;
}
