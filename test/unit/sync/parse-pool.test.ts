import { afterEach, describe, expect, it } from 'vitest';
import { parseEmail } from '../../../src/sync/incoming/parse.js';
import { ParsePool } from '../../../src/sync/incoming/parse-pool.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

function message(n: number): Buffer {
  const attachment = Buffer.alloc(3000, n % 251)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  return crlf([
    `From: "Sender ${n}" <sender${n}@customer.test>`,
    'To: support@example.test',
    `Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_${n}?=`,
    `Message-ID: <m${n}@customer.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body ${n}`,
    '--b',
    `Content-Type: application/octet-stream; name="file-${n}.bin"`,
    'Content-Transfer-Encoding: base64',
    '',
    attachment,
    '--b--',
    '',
  ]);
}

const pools: ParsePool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('ParsePool', () => {
  it('gives the same outcome as parsing on the calling thread, attachments as Buffers, in order', async () => {
    const pool = new ParsePool(2);
    pools.push(pool);
    const raws = Array.from({ length: 12 }, (_, n) => message(n));
    const [threaded, inline] = await Promise.all([
      Promise.all(raws.map((raw) => pool.parse(raw))),
      Promise.all(raws.map((raw) => parseEmail(raw))),
    ]);
    expect(threaded).toEqual(inline);
    // The threads really did the work (a pool that could not start them parses inline).
    expect(pool.unavailable).toBe(false);
    const first = threaded[0];
    expect(first?.ok && Buffer.isBuffer(first.email.attachments[0]?.content)).toBe(true);
    expect(first?.ok && first.email.subject).toBe('Grüße 0');
  });

  it('fails only the message that kills its thread; the others it held are parsed on new threads', async () => {
    const pool = new ParsePool(1, {
      script: new URL('../../support/threads/dies-on-poison.ts', import.meta.url),
    });
    pools.push(pool);
    const poison = crlf(['From: a@b.test', 'To: c@d.test', 'Subject: POISON', '', 'x', '']);
    const good = [message(3), message(4), message(5)];
    // All four go to the one thread together, as a batch does.
    const outcomes = await Promise.all([
      pool.parse(good[0]!),
      pool.parse(poison),
      ...good.slice(1).map((raw) => pool.parse(raw)),
    ]);
    expect(outcomes[1]).toEqual({ ok: false, error: 'the parser stopped (exit code 3)' });
    const parsedGood = [outcomes[0], outcomes[2], outcomes[3]];
    expect(parsedGood).toEqual(await Promise.all(good.map((raw) => parseEmail(raw))));
    expect(pool.unavailable).toBe(false);
    // And the pool goes on with a fresh thread.
    expect(await pool.parse(message(6))).toEqual(await parseEmail(message(6)));
  });

  it('fails a message that kills a thread on its own', async () => {
    const dying = new ParsePool(1, {
      script: new URL('../../support/threads/dies-on-first-message.ts', import.meta.url),
    });
    pools.push(dying);
    expect(await dying.parse(message(1))).toEqual({ ok: false, error: 'the parser stopped (exit code 3)' });
  });

  it('parses on the calling thread when a thread cannot load its code', async () => {
    const warnings: unknown[] = [];
    const broken = new ParsePool(1, {
      script: new URL('../../support/threads/no-such-file.ts', import.meta.url),
      logger: { warn: (details: unknown) => void warnings.push(details) },
    });
    pools.push(broken);
    const outcome = await broken.parse(message(2));
    expect(outcome).toEqual(await parseEmail(message(2)));
    expect(broken.unavailable).toBe(true);
    expect(warnings).toHaveLength(1);
  });
});
