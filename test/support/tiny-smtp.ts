/**
 * A tiny SMTP server on 127.0.0.1 for outgoing tests that need replies the
 * real servers do not give on demand: 550 for chosen recipients, 451 for the
 * whole message, a connection dropped after some messages or right after the
 * final dot. It accepts any AUTH, records what it received and counts the
 * connections and commands.
 */
import net from 'node:net';

export interface TinySmtpOptions {
  /** recipients answered with this RCPT reply (e.g. "550 5.1.1 User unknown") */
  readonly refuse?: Readonly<Record<string, string>>;
  /** reply to DATA's end, default "250 2.0.0 Ok: queued" */
  readonly dataReply?: string;
  /** reply to AUTH, default "235 2.7.0 Authentication successful" */
  readonly authReply?: string;
  /** close the connection (as an idle timeout would) once it has carried this many messages */
  readonly dropAfterMessages?: number;
  /** refuse MAIL FROM with 452 once a connection carried this many messages (as OpenSMTPD does after 100) */
  readonly mailLimit?: number;
  /** take the message (recorded) and close the connection without answering the final dot */
  readonly dropAtDataEnd?: boolean;
}

export interface TinySmtp {
  readonly port: number;
  readonly messages: { from: string; to: string[]; data: string }[];
  /** connections accepted so far */
  readonly connections: number;
  /** commands received (upper-cased verb), e.g. how many RSET */
  readonly commands: string[];
  options: TinySmtpOptions;
  close(): Promise<void>;
}

/** `port` 0 picks a free one; a fixed port restarts a stopped server where its clients expect it. */
export async function startTinySmtp(initial: TinySmtpOptions = {}, port = 0): Promise<TinySmtp> {
  const messages: TinySmtp['messages'] = [];
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const state: { options: TinySmtpOptions; connections: number } = { options: initial, connections: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    state.connections += 1;
    let carried = 0;
    let closing = false;
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
            if (state.options.dropAtDataEnd) {
              socket.destroy();
              return;
            }
            reply(state.options.dataReply ?? '250 2.0.0 Ok: queued');
            carried += 1;
            // Like a server that closed an idle connection: the next command finds it gone.
            if (state.options.dropAfterMessages !== undefined && carried >= state.options.dropAfterMessages)
              closing = true;
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        if (closing) {
          socket.destroy();
          return;
        }
        const upper = line.toUpperCase();
        commands.push(upper.split(/[ :]/)[0] ?? upper);
        if (upper.startsWith('EHLO')) reply('250-tiny.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME');
        else if (upper.startsWith('HELO')) reply('250 tiny.test');
        else if (upper.startsWith('AUTH'))
          reply(state.options.authReply ?? '235 2.7.0 Authentication successful');
        else if (upper.startsWith('MAIL FROM:')) {
          if (state.options.mailLimit !== undefined && carried >= state.options.mailLimit) {
            reply('452 4.5.3 Too many recipients: Too many messages sent');
            continue;
          }
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
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    messages,
    commands,
    get connections() {
      return state.connections;
    },
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
