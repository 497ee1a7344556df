// The POP3 client against scripted servers on 127.0.0.1 in this process: the replies real
// servers rarely give (garbage, silence, a connection cut mid-response) on demand. The real
// Dovecot is exercised in test/integration/connectors/pop3.test.ts.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Pop3Client, type Pop3ClientOptions } from '../../../src/connectors/pop3/client.js';
import { Pop3Error } from '../../../src/connectors/pop3/errors.js';

type Handler = (line: string, reply: (text: string) => void, socket: net.Socket) => void;

interface Scripted {
  readonly server: net.Server;
  readonly sockets: Set<net.Socket>;
}

const running: Scripted[] = [];

function stop({ server, sockets }: Scripted): Promise<void> {
  sockets.forEach((socket) => socket.destroy());
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(stop));
});

/** A server that sends `greeting` and passes each command line to `handler`. */
async function scripted(
  greeting: string | undefined,
  handler: Handler = () => undefined,
): Promise<Pop3ClientOptions> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (greeting !== undefined) socket.write(greeting);
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        handler(line, (text) => socket.write(text), socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  running.push({ server, sockets });
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, tls: 'none', timeoutMs: 500 };
}

/** A well-behaved maildrop with two messages. */
const MAILDROP: Handler = (line, reply) => {
  const [command, argument] = line.split(' ');
  switch (command) {
    case 'USER':
      return reply('+OK\r\n');
    case 'PASS':
      return reply(argument === 'secret' ? '+OK logged in\r\n' : '-ERR [AUTH] Authentication failed.\r\n');
    case 'STAT':
      return reply('+OK 2 320\r\n');
    case 'LIST':
      return reply('+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n');
    case 'UIDL':
      return reply(
        argument === undefined
          ? '+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n'
          : `+OK ${argument} ${argument === '1' ? 'aaa' : 'bbb'}\r\n`,
      );
    case 'TOP':
      return reply('+OK\r\nSubject: two\r\n\r\n.\r\n');
    case 'RETR':
      // Sent byte by byte: replies may arrive in any pieces.
      for (const char of '+OK 200 octets\r\nSubject: two\r\n\r\n..dot\r\nbody\r\n.\r\n') reply(char);
      return;
    case 'DELE':
      return reply(argument === '9' ? '-ERR no such message\r\n' : '+OK deleted\r\n');
    case 'NOOP':
    case 'RSET':
      return reply('+OK\r\n');
    case 'CAPA':
      return reply('+OK\r\nUIDL\r\nTOP\r\nUSER\r\n.\r\n');
    case 'QUIT':
      return reply('+OK bye\r\n');
    default:
      return reply('-ERR unknown command\r\n');
  }
};

async function failure(promise: Promise<unknown>): Promise<Pop3Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Pop3Error);
  return error as Pop3Error;
}

describe('Pop3Client', () => {
  it('runs a whole session: CAPA, login, STAT, LIST, UIDL, TOP, RETR, DELE, QUIT', async () => {
    const client = await Pop3Client.connect(await scripted('+OK ready\r\n', MAILDROP));
    expect(client.greeting).toBe('ready');
    expect(client.secure).toBe(false);
    expect(await client.capabilities()).toEqual(['UIDL', 'TOP', 'USER']);
    await client.login('ann', 'secret');
    expect(await client.stat()).toEqual({ count: 2, size: 320 });
    expect(await client.list()).toEqual([
      { number: 1, size: 120 },
      { number: 2, size: 200 },
    ]);
    expect(await client.uidl()).toEqual([
      { number: 1, uid: 'aaa' },
      { number: 2, uid: 'bbb' },
    ]);
    expect(await client.uidlOf(2)).toBe('bbb');
    expect((await client.top(2, 0)).toString()).toBe('Subject: two\r\n\r\n');
    expect((await client.retr(2)).toString()).toBe('Subject: two\r\n\r\n.dot\r\nbody\r\n');
    await client.noop();
    await client.rset();
    await client.dele(2);
    await client.quit();
  });

  it('queues commands issued at the same time', async () => {
    const client = await Pop3Client.connect(await scripted('+OK\r\n', MAILDROP));
    await client.login('ann', 'secret');
    const [stat, uids, top] = await Promise.all([client.stat(), client.uidl(), client.top(1)]);
    expect(stat.count).toBe(2);
    expect(uids).toHaveLength(2);
    expect(top.toString()).toContain('Subject');
    client.close();
  });

  it('turns -ERR into a recoverable error naming the command and the server code, never the password', async () => {
    const client = await Pop3Client.connect(await scripted('+OK\r\n', MAILDROP));
    const error = await failure(client.login('ann', 'wrong-password'));
    expect(error.info).toMatchObject({
      kind: 'negative',
      phase: 'command',
      command: 'PASS',
      responseCode: 'AUTH',
      serverText: 'Authentication failed.',
    });
    expect(error.recoverable).toBe(true);
    expect(`${error.message} ${JSON.stringify(error.info)}`).not.toContain('wrong-password');
    // The session goes on.
    await client.login('ann', 'secret');
    const missing = await failure(client.dele(9));
    expect(missing.info).toMatchObject({ kind: 'negative', command: 'DELE', serverText: 'no such message' });
    expect(await client.stat()).toEqual({ count: 2, size: 320 });
    await client.quit();
  });

  it('answers undefined to CAPA on a server that does not know it', async () => {
    const client = await Pop3Client.connect(
      await scripted('+OK\r\n', (line, reply) => reply(line === 'QUIT' ? '+OK\r\n' : '-ERR what?\r\n')),
    );
    expect(await client.capabilities()).toBeUndefined();
    await client.quit();
  });

  it('reports a -ERR greeting as a refusal of service', async () => {
    const error = await failure(Pop3Client.connect(await scripted('-ERR [SYS/TEMP] maintenance\r\n')));
    expect(error.info).toMatchObject({
      kind: 'negative',
      phase: 'greeting',
      code: 'SERVICE_REFUSED',
      responseCode: 'SYS/TEMP',
      serverText: 'maintenance',
    });
  });

  it('reports another protocol on the port', async () => {
    const error = await failure(Pop3Client.connect(await scripted('220 mx.example.test ESMTP\r\n')));
    expect(error.info).toMatchObject({
      kind: 'protocol',
      phase: 'greeting',
      code: 'UNEXPECTED_GREETING',
      serverText: '220 mx.example.test ESMTP',
    });
  });

  it('reports binary garbage without a line end as another protocol', async () => {
    const options = await scripted(`\x16\x03\x01${'\x00'.repeat(2_000_000)}`);
    const error = await failure(Pop3Client.connect(options));
    expect(error.info).toMatchObject({ kind: 'protocol', phase: 'greeting', code: 'UNEXPECTED_GREETING' });
  });

  it('times out on a silent server', async () => {
    const started = Date.now();
    const error = await failure(Pop3Client.connect(await scripted(undefined)));
    expect(error.info).toMatchObject({ kind: 'timeout', phase: 'greeting', code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('times out when the server stops in the middle of a response', async () => {
    const client = await Pop3Client.connect(
      await scripted('+OK\r\n', (line, reply) => {
        if (line === 'RETR 1') reply('+OK\r\nSubject: half\r\n');
        else reply('+OK\r\n');
      }),
    );
    const error = await failure(client.retr(1));
    expect(error.info).toMatchObject({ kind: 'timeout', phase: 'command', code: 'ETIMEDOUT' });
    expect(error.recoverable).toBe(false);
    // The session is over: the next command fails at once with the same error.
    expect(await failure(client.noop())).toBe(error);
  });

  it('reports a connection dropped after the greeting', async () => {
    const client = await Pop3Client.connect(
      await scripted('+OK\r\n', (_line, _reply, socket) => socket.destroy()),
    );
    const error = await failure(client.login('ann', 'secret'));
    expect(error.info.kind === 'closed' || error.info.kind === 'network').toBe(true);
    expect(['CONNECTION_DROPPED', 'ECONNRESET', 'EPIPE']).toContain(error.info.code);
    expect(error.info.phase).toBe('command');
  });

  it('reports a connection dropped in the middle of a multi-line response', async () => {
    const client = await Pop3Client.connect(
      await scripted('+OK\r\n', (_line, reply, socket) => {
        reply('+OK\r\n1 aaa\r\n');
        socket.end();
      }),
    );
    const error = await failure(client.uidl());
    expect(error.info).toMatchObject({ kind: 'closed', code: 'CONNECTION_DROPPED' });
  });

  it('reports a refused connection with Node’s code', async () => {
    const options = await scripted('+OK\r\n');
    await stop(running.pop() as Scripted);
    const error = await failure(Pop3Client.connect(options));
    expect(error.info).toMatchObject({ kind: 'network', phase: 'connect', code: 'ECONNREFUSED' });
  });

  it('reports a refused STLS as STARTTLS_UNAVAILABLE', async () => {
    const options = await scripted('+OK\r\n', (_line, reply) => reply('-ERR TLS not available\r\n'));
    const error = await failure(Pop3Client.connect({ ...options, tls: 'starttls' }));
    expect(error.info).toMatchObject({
      kind: 'negative',
      phase: 'tls',
      code: 'STARTTLS_UNAVAILABLE',
      command: 'STLS',
      serverText: 'TLS not available',
    });
  });

  it('refuses plain-text data injected after the STLS answer', async () => {
    const options = await scripted('+OK\r\n', (_line, reply) => reply('+OK begin TLS\r\n+OK injected\r\n'));
    const error = await failure(Pop3Client.connect({ ...options, tls: 'starttls' }));
    expect(error.info).toMatchObject({ kind: 'protocol', phase: 'tls', code: 'PROTOCOL_ERROR' });
  });

  it('reports a reply that is not POP3 in the middle of a session', async () => {
    const client = await Pop3Client.connect(
      await scripted('+OK\r\n', (_line, reply) => reply('HTTP/1.1 400 Bad Request\r\n')),
    );
    const error = await failure(client.stat());
    expect(error.info).toMatchObject({
      kind: 'protocol',
      phase: 'command',
      code: 'PROTOCOL_ERROR',
      command: 'STAT',
    });
  });

  it('rejects arguments that would inject a second command', async () => {
    const client = await Pop3Client.connect(await scripted('+OK\r\n', MAILDROP));
    await expect(client.login('ann\r\nDELE 1', 'secret')).rejects.toThrow(TypeError);
    await expect(client.retr(0)).rejects.toThrow(RangeError);
    await expect(client.top(1, -1)).rejects.toThrow(RangeError);
    await client.quit();
  });
});
