/**
 * The body of a parse thread (parse-pool.ts): parses each message it is sent
 * and answers with the outcome. Nothing else runs here, so a message that
 * takes the parser a long time never holds up the worker's main thread.
 */
import { parentPort } from 'node:worker_threads';
import { parseEmail } from './parse.js';
import type { ParseReply, ParseRequest, ParseThreadReady, WireOutcome } from './parse-pool.js';

const port = parentPort;
if (port === null) throw new Error('parse-worker.ts runs only as a worker thread');

port.on('message', (request: ParseRequest) => {
  void parseEmail(Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength), {
    rfc822Attachments: request.rfc822Attachments,
  }).then((parsed) => {
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
    const reply: ParseReply = { id: request.id, outcome };
    port.postMessage(reply, transfer);
  });
});

const ready: ParseThreadReady = { ready: true };
port.postMessage(ready);
