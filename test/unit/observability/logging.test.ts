/**
 * The project's logger configuration keeps credentials and message content
 * out of log lines, wherever in the logged object they are.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  CENSOR,
  isSensitiveField,
  loggerOptions,
  scrubLogObject,
} from '../../../src/observability/logging.js';
import { createLogger } from '../../../src/runtime.js';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino(loggerOptions('debug'), stream);
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('log redaction', () => {
  it('never prints a password passed in an object, at any depth, nor other credentials', () => {
    const { logger, text, lines } = capture();
    logger.info({ password: 'top-secret-1' }, 'top level');
    logger.info({ mailbox: { password: 'top-secret-2', name: 'Sales' } }, 'nested');
    logger.info({ a: { b: { c: { incomingPassword: 'top-secret-3' } } } }, 'deep');
    logger.info({ list: [{ outgoingPassword: 'top-secret-4' }] }, 'in an array');
    logger.info(
      {
        secret: 'top-secret-5',
        apiKey: 'top-secret-6',
        csrfToken: 'top-secret-7',
        credentials: { user: 'u', pass: 'top-secret-8' },
      },
      'other names',
    );
    logger.child({ component: 'x' }).warn({ authorization: 'Bearer top-secret-9' }, 'child');
    const output = text();
    for (let n = 1; n <= 9; n++) expect(output).not.toContain(`top-secret-${n}`);
    const [first, second] = lines();
    expect(first).toMatchObject({ password: CENSOR, msg: 'top level' });
    // What is not sensitive stays readable.
    expect(second).toMatchObject({ mailbox: { password: CENSOR, name: 'Sales' } });
  });

  it('keeps subjects and bodies of messages out', () => {
    const { logger, text } = capture();
    logger.info({ email: { subject: 'Salary review for Ann', body: 'Dear Ann', html: '<p>x</p>' } }, 'email');
    expect(text()).not.toMatch(/Salary review|Dear Ann|<p>x<\/p>/);
  });

  it('redacts the request headers that carry tokens', () => {
    const { logger, text } = capture();
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/api/me',
          headers: { authorization: 'Bearer mr_abc', cookie: 'mailroom_session=s1' },
        },
      },
      'request',
    );
    expect(text()).not.toMatch(/mr_abc|mailroom_session=s1/);
    expect(text()).toContain('/api/me');
  });

  it('keeps numbers and flags whose names look sensitive (fencing tokens, passwordSet)', () => {
    expect(scrubLogObject({ leaseToken: 42, passwordSet: true, tokenCount: 3 })).toEqual({
      leaseToken: 42,
      passwordSet: true,
      tokenCount: 3,
    });
  });

  it('leaves error objects to the error serializer and copies nothing that needs no change', () => {
    const error = new Error('connection refused');
    const object = { err: error, mailboxId: 'm1' };
    expect(scrubLogObject(object)).toBe(object);
    const { logger, lines } = capture();
    logger.error({ err: error }, 'failed');
    expect(lines()[0]).toMatchObject({ err: { message: 'connection refused', type: 'Error' } });
  });

  it('names the sensitive fields', () => {
    for (const name of [
      'password',
      'incomingPassword',
      'secret',
      'secretSealed',
      'token',
      'Authorization',
      'cookie',
      'credential',
      'subject',
      'body',
    ]) {
      expect(isSensitiveField(name), name).toBe(true);
    }
    for (const name of ['mailboxId', 'channel', 'cycleId', 'code', 'reason', 'name']) {
      expect(isSensitiveField(name), name).toBe(false);
    }
  });

  it('is the configuration the runtime builds its logger with', () => {
    const logger = createLogger({ logLevel: 'info' });
    // pino exposes its redaction settings only through behaviour; the formatter is visible on the symbol table.
    const formatters = (logger as unknown as Record<symbol, unknown>)[pino.symbols.formattersSym] as {
      log: (object: Record<string, unknown>) => Record<string, unknown>;
    };
    expect(formatters.log({ password: 'p', mailboxId: 'm' })).toEqual({ password: CENSOR, mailboxId: 'm' });
  });
});
