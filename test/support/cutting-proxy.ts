// A TCP relay in front of a real server that cuts a connection in the middle of a download: once the
// server has sent a connection more than `cutAfterBytes`, both sides are destroyed, as when a server
// or a network drops a session mid-transfer. TLS passes through untouched (the client still talks TLS
// to the real server), so the cut lands inside whatever the server was sending at that moment.

import net from 'node:net';
import type { Endpoint } from './servers.js';

export interface CuttingProxyOptions {
  readonly target: Endpoint;
  /** server-to-client bytes after which a connection is cut */
  readonly cutAfterBytes: number;
  /** how many connections to cut; later ones are relayed whole */
  readonly cuts: number;
}

export interface CuttingProxy {
  readonly port: number;
  /** connections cut so far, with the bytes each had received when it was cut */
  readonly cutsMade: readonly number[];
  /** connections accepted so far */
  connections(): number;
  close(): Promise<void>;
}

export async function startCuttingProxy(options: CuttingProxyOptions): Promise<CuttingProxy> {
  const cutsMade: number[] = [];
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(options.target.port, options.target.host);
    open.add(client);
    open.add(upstream);
    let downloaded = 0;
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      open.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      downloaded += chunk.length;
      if (cutsMade.length < options.cuts && downloaded > options.cutAfterBytes) {
        // Deliver part of this chunk so the client is left holding half a response.
        client.write(chunk.subarray(0, Math.floor(chunk.length / 2)));
        cutsMade.push(downloaded);
        destroyBoth();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cutsMade,
    connections: () => accepted,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
