// body-download.ts against Dovecot: the bytes Mailroom reads off the borrowed connection are the
// bytes imapflow reads, the connection is imapflow's again afterwards, responses that are not part of
// the download reach imapflow, and refusals, cuts and oversized answers fail like imapflow's do.

import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadBodies } from '../../../src/connectors/imap/body-download.js';
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import { imapFailure } from '../../../src/connectors/imap/failure.js';
import { MAILROOM_CODES } from '../../../src/connectors/failure-codes.js';
import { startCuttingProxy, type CuttingProxy } from '../../support/cutting-proxy.js';
import { writeToInbox } from '../../support/maildir.js';
import { createMailUser, imapOptions, type MailUser, type TlsMode } from '../../support/mail-users.js';
import { serverEndpoint, servers } from './helpers.js';

const LIMITS = { maxMessageBytes: 4 * 1024 * 1024 };

/** Bodies that would trip a careless reader: 8-bit bytes, protocol look-alikes, a large base64 part. */
function awkwardMessages(to: string): Buffer[] {
  const header = (subject: string) => `From: a@example.com\r\nTo: ${to}\r\nSubject: ${subject}\r\n`;
  return [
    Buffer.from(`${header('plain')}\r\nhello\r\n`),
    Buffer.concat([
      Buffer.from(`${header('eight-bit')}Content-Type: text/plain; charset=iso-8859-1\r\n\r\n`),
      Buffer.from('caf\xe9 \xff\x80 end\r\n', 'latin1'),
    ]),
    Buffer.from(`${header('look-alike')}\r\nA1 OK Fetch completed.\r\n* 3 EXISTS\r\n) {12}\r\n)\r\n`),
    Buffer.from(
      `${header('large')}Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
        `${randomBytes(1_200_000).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
    ),
  ];
}

const open: ImapFlow[] = [];
const proxies: CuttingProxy[] = [];

afterEach(async () => {
  for (const client of open.splice(0)) client.close();
  for (const proxy of proxies.splice(0)) await proxy.close();
});

async function connected(user: MailUser, mode: TlsMode, port?: number): Promise<ImapFlow> {
  const options = imapOptions(user, mode);
  const client = new ImapFlow({ ...options, ...(port === undefined ? {} : { port }), disableAutoIdle: true });
  client.on('error', () => undefined);
  open.push(client);
  await client.connect();
  await client.mailboxOpen('INBOX', { readOnly: true });
  return client;
}

async function imapflowBodies(
  client: ImapFlow,
  range: string,
): Promise<Array<{ uid: number; source: string }>> {
  const rows = await client.fetchAll(range, { uid: true, source: true }, { uid: true });
  return rows.map((row) => ({ uid: row.uid, source: row.source!.toString('latin1') }));
}

function asText(messages: ReadonlyArray<{ uid: number; source: Buffer }>) {
  return messages.map((message) => ({ uid: message.uid, source: message.source.toString('latin1') }));
}

describe('body download on a borrowed imapflow connection', () => {
  it.each(['none', 'starttls', 'implicit'] as const)(
    'reads what imapflow reads, and gives the connection back (TLS: %s)',
    async (mode) => {
      const user = await createMailUser(`download-${mode}`);
      await writeToInbox(
        user,
        awkwardMessages(user.email).map((raw) => ({ raw })),
      );
      const client = await connected(user, mode);

      const downloaded = await downloadBodies(client, '1:*', LIMITS);
      expect(downloaded).toBeDefined();
      expect(downloaded).toHaveLength(4);
      expect(asText(downloaded!)).toEqual(await imapflowBodies(client, '1:*'));
      expect(downloaded![1]!.source.includes(Buffer.from('caf\xe9 \xff\x80', 'latin1'))).toBe(true);
      expect(downloaded![3]!.source.length).toBeGreaterThan(1_600_000);

      // Twice in a row, then imapflow again: the connection goes back and forth cleanly.
      expect(asText((await downloadBodies(client, '2,4', LIMITS))!)).toEqual(
        await imapflowBodies(client, '2,4'),
      );
      expect(await client.search({ subject: 'look-alike' }, { uid: true })).toEqual([3]);
    },
  );

  it('sends exactly its one command line', async () => {
    const user = await createMailUser('download-wire');
    await writeToInbox(user, [{ raw: awkwardMessages(user.email)[0]! }]);
    const client = await connected(user, 'none');
    const socket = (client as unknown as { socket: { write(chunk: Buffer | string): boolean } }).socket;
    const sent: string[] = [];
    const write = socket.write.bind(socket);
    socket.write = (chunk) => {
      sent.push(chunk.toString());
      return write(chunk);
    };

    expect(await downloadBodies(client, '1', LIMITS)).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^M[0-9A-Z]+ UID FETCH 1 \(UID BODY\.PEEK\[\]\)\r\n$/);
  });

  it('stands aside for a command imapflow started while it waited', async () => {
    const user = await createMailUser('download-race');
    await writeToInbox(user, [{ raw: awkwardMessages(user.email)[0]! }]);
    const client = await connected(user, 'none');

    // A download first, which hands the connection back free at once: the next check passes
    // synchronously, and the NOOP takes the connection in the turn downloadBodies awaits.
    expect(await downloadBodies(client, '1', LIMITS)).toHaveLength(1);
    const download = downloadBodies(client, '1', LIMITS);
    const noop = client.noop();
    expect(await download).toBeUndefined();
    await noop;
    expect(client.usable).toBe(true);
    expect(await downloadBodies(client, '1', LIMITS)).toHaveLength(1);
  });

  it('hands what is not part of the download to imapflow, which keeps its view of the folder', async () => {
    const user = await createMailUser('download-exists');
    await writeToInbox(user, [{ raw: awkwardMessages(user.email)[0]! }]);
    const client = await connected(user, 'implicit');
    expect(client.mailbox && client.mailbox.exists).toBe(1);
    const announced: number[] = [];
    client.on('exists', (update: { count: number }) => announced.push(update.count));
    const flagged: Array<{ seq: number; flags: Set<string> }> = [];
    client.on('flags', (update: { seq: number; flags: Set<string> }) => flagged.push(update));

    // Another session adds a message and flags the first; Dovecot tells this session while answering
    // the FETCH: `* 2 EXISTS` and an unsolicited `* 1 FETCH (UID 1 FLAGS (\Flagged))`.
    const other = await connected(user, 'none');
    await other.append('INBOX', awkwardMessages(user.email)[2]!);
    await other.mailboxOpen('INBOX', { readOnly: false });
    await other.messageFlagsAdd('1', ['\\Flagged'], { uid: true });
    const downloaded = await downloadBodies(client, '1', LIMITS);
    expect(downloaded!.map((message) => message.uid)).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(announced).toEqual([2]);
    expect(flagged.map((update) => ({ seq: update.seq, flagged: update.flags.has('\\Flagged') }))).toEqual([
      { seq: 1, flagged: true },
    ]);
    expect(client.mailbox && client.mailbox.exists).toBe(2);
    expect((await imapflowBodies(client, '2'))[0]!.source).toContain('Subject: look-alike');
  });

  it('leaves a COMPRESS=DEFLATE connection to imapflow (no test server offers it)', async () => {
    const user = await createMailUser('download-compressed');
    await writeToInbox(user, [{ raw: awkwardMessages(user.email)[0]! }]);
    const client = await connected(user, 'none');
    // What imapflow's compress() leaves behind: the inflate stream its parser reads from, and a
    // deflate stream it writes to. Either one alone keeps the download with imapflow.
    const internals = client as unknown as { _inflate: unknown; writeSocket: unknown; socket: unknown };
    internals._inflate = new PassThrough();
    expect(await downloadBodies(client, '1', LIMITS)).toBeUndefined();
    internals._inflate = null;
    internals.writeSocket = new PassThrough();
    expect(await downloadBodies(client, '1', LIMITS)).toBeUndefined();
    internals.writeSocket = internals.socket;
    expect(await downloadBodies(client, '1', LIMITS)).toHaveLength(1);
  });

  it('rejects a refused command as imapflow would, and the connection stays usable', async () => {
    const user = await createMailUser('download-refused');
    await writeToInbox(user, [{ raw: awkwardMessages(user.email)[0]! }]);
    const client = await connected(user, 'none');

    const refused = await downloadBodies(client, '0', LIMITS).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      responseStatus: 'BAD',
      executedCommand: expect.stringMatching(/UID FETCH 0 /),
    });
    const failure = imapFailure(
      refused,
      { stage: 'read', greeting: '* OK' },
      serverEndpoint(servers().imap, 'none'),
    );
    expect(failure.details).toMatchObject({
      command: 'UID FETCH',
      serverText: expect.stringMatching(/uidset/i),
    });

    expect(await downloadBodies(client, '1', LIMITS)).toHaveLength(1);
  });

  it('fails as a dropped connection when the server is cut off mid-download', async () => {
    const user = await createMailUser('download-cut');
    await writeToInbox(
      user,
      awkwardMessages(user.email).map((raw) => ({ raw })),
    );
    const proxy = await startCuttingProxy({ target: servers().imaps, cutAfterBytes: 200_000, cuts: 1 });
    proxies.push(proxy);
    const client = await connected(user, 'implicit', proxy.port);

    const cut = await downloadBodies(client, '1:*', LIMITS).catch((error: unknown) => error);
    expect(proxy.cutsMade).toHaveLength(1);
    expect(client.usable).toBe(false);
    const failure = imapFailure(
      cut,
      { stage: 'read', greeting: '* OK' },
      serverEndpoint(servers().imaps, 'implicit'),
    );
    expect(failure.details.errorCode).toBe(MAILROOM_CODES.connectionDropped);
  });

  it('ends the session on a message announced over the limit, and borrows no closed connection', async () => {
    const user = await createMailUser('download-oversized');
    await writeToInbox(
      user,
      awkwardMessages(user.email).map((raw) => ({ raw })),
    );
    const client = await connected(user, 'none');

    const oversized = await downloadBodies(client, '1:*', { maxMessageBytes: 100_000 }).catch(
      (error: unknown) => error,
    );
    expect(oversized).toMatchObject({
      code: 'InvalidResponse',
      message: expect.stringMatching(/over the limit of 100000/),
    });
    expect(client.usable).toBe(false);
    expect(await downloadBodies(client, '1', LIMITS)).toBeUndefined();
  });
});
