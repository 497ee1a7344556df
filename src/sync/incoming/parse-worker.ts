/**
 * The body of a parse thread (parse-pool.ts): parses each message it is sent
 * and answers with the outcome. Nothing else runs here, so a message that
 * takes the parser a long time never holds up the worker's main thread.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { parseEmail, type ParseOutcome } from './parse.js';
import type { ParseReply, ParseRequest, ParseThreadReady, WireOutcome } from './parse-pool.js';

function threadPort(): MessagePort {
  if (parentPort === null) throw new Error('parse-worker.ts runs only as a worker thread');
  return parentPort;
}

const port = threadPort();

port.on('message', (request: ParseRequest) => {
  const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
  parseEmail(raw, { rfc822Attachments: request.rfc822Attachments })
    .then((parsed) => answer(request.id, parsed))
    // A throw outside the parser's own guard is this message's failure, not the thread's.
    .catch((error: unknown) => answer(request.id, { ok: false, error: describe(error) }));
});

function answer(id: number, parsed: ParseOutcome): void {
  // Attachment bytes are often views into the whole message; copying each to its
  // own buffer lets it be handed over without copying the message along with it.
  const transfer: ArrayBuffer[] = [];
  const outcome: WireOutcome = parsed.ok
    ? {
        ok: true as const,
        email: {
          ...parsed.email,
          attachments: parsed.email.attachments.map((part) => {
            const own = new Uint8Array(part.content);
            transfer.push(own.buffer);
            return { ...part, content: own };
          }),
        },
      }
    : parsed;
  try {
    const reply: ParseReply = { id, outcome };
    port.postMessage(reply, transfer);
  } catch (error) {
    const reply: ParseReply = { id, outcome: { ok: false, error: describe(error) } };
    port.postMessage(reply);
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

const ready: ParseThreadReady = { ready: true };
port.postMessage(ready);
