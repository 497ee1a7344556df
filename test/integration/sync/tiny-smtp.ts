/**
 * A tiny SMTP server on 127.0.0.1 for outgoing tests that need replies the
 * real servers do not give on demand: 550 for chosen recipients, 451 for the
 * whole message. It accepts any AUTH and records what it received.
 */
import net from 'node:net';

export interface TinySmtpOptions {
  /** recipients answered with this RCPT reply (e.g. "550 5.1.1 User unknown") */
  readonly refuse?: Readonly<Record<string, string>>;
  /** reply to DATA's end, default "250 2.0.0 Ok: queued" */
  readonly dataReply?: string;
  /** reply to AUTH, default "235 2.7.0 Authentication successful" */
  readonly authReply?: string;
}

export interface TinySmtp {
  readonly port: number;
  readonly messages: { from: string; to: string[]; data: string }[];
  options: TinySmtpOptions;
  close(): Promise<void>;
}

export async function startTinySmtp(initial: TinySmtpOptions = {}): Promise<TinySmtp> {
  const messages: TinySmtp['messages'] = [];
  const sockets = new Set<net.Socket>();
  const state: { options: TinySmtpOptions } = { options: initial };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    let from = '';
    let to: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 tiny.test ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push({ from, to, data: data.join('\r\n') });
            reply(state.options.dataReply ?? '250 2.0.0 Ok: queued');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO')) reply('250-tiny.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME');
        else if (upper.startsWith('HELO')) reply('250 tiny.test');
        else if (upper.startsWith('AUTH'))
          reply(state.options.authReply ?? '235 2.7.0 Authentication successful');
        else if (upper.startsWith('MAIL FROM:')) {
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          reply('250 2.1.0 Ok');
        } else if (upper.startsWith('RCPT TO:')) {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const refusal = state.options.refuse?.[address.toLowerCase()];
          if (refusal) reply(refusal);
          else {
            to.push(address);
            reply('250 2.1.5 Ok');
          }
        } else if (upper === 'DATA') {
          inData = true;
          data = [];
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (upper === 'RSET') reply('250 2.0.0 Ok');
        else if (upper === 'NOOP') reply('250 2.0.0 Ok');
        else if (upper === 'QUIT') {
          reply('221 2.0.0 Bye');
          socket.end();
        } else reply('502 5.5.2 Error: command not recognized');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    messages,
    get options() {
      return state.options;
    },
    set options(value) {
      state.options = value;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
