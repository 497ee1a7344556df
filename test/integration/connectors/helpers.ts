// Shared by the connector integration tests: endpoints for the real test servers, tiny local
// TCP servers for failures the real ones cannot show (silence, a dropped connection), and a
// helper that runs a probe expected to fail and classifies the failure. Everything binds
// 127.0.0.1; nothing here contacts another address.

import net from 'node:net';
import { afterEach, expect } from 'vitest';
import {
  classifyFailure,
  type Classification,
  type ClassifyContext,
} from '../../../src/connectors/classify.js';
import {
  ConnectorFailure,
  type ConnectorFailureDetails,
  type DavEndpoint,
  type ServerEndpoint,
} from '../../../src/connectors/types.js';
import { readTestServers, testCa, type TlsMode } from '../../support/mail-users.js';
import type { Endpoint } from '../../support/servers.js';

/** Short enough to keep failure tests fast, long enough for a loaded CI machine. */
export const TIMEOUT_MS = 2_000;
/** For the tests that wait for a timeout on purpose. */
export const SHORT_TIMEOUT_MS = 800;

export function serverEndpoint(
  endpoint: Endpoint,
  tls: TlsMode,
  overrides: Partial<ServerEndpoint> = {},
): ServerEndpoint {
  return {
    host: endpoint.host,
    port: endpoint.port,
    tls,
    verifyCertificates: true,
    timeoutMs: TIMEOUT_MS,
    extraCa: testCa().toString('utf8'),
    ...overrides,
  };
}

export function davEndpoint(url: string, overrides: Partial<DavEndpoint> = {}): DavEndpoint {
  return {
    url,
    verifyCertificates: true,
    timeoutMs: TIMEOUT_MS,
    extraCa: testCa().toString('utf8'),
    ...overrides,
  };
}

export function servers(): ReturnType<typeof readTestServers> {
  return readTestServers();
}

export interface ClassifiedFailure {
  readonly details: ConnectorFailureDetails;
  readonly classification: Classification;
}

/** Awaits a promise that must reject with a ConnectorFailure, and classifies it. */
export async function failureOf(
  promise: Promise<unknown>,
  context: Partial<ClassifyContext> & Pick<ClassifyContext, 'channel'>,
): Promise<ClassifiedFailure> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'the probe should have failed').toBeInstanceOf(ConnectorFailure);
  const details = (caught as ConnectorFailure).details;
  return {
    details,
    classification: classifyFailure(details, { credentialSource: 'mailbox', during: 'test', ...context }),
  };
}

// ---------------------------------------------------------------------------------------------
// Local fake servers

interface FakeServer {
  readonly endpoint: Endpoint;
  close(): Promise<void>;
}

const started: FakeServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function listen(onConnection: (socket: net.Socket) => void): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const fake: FakeServer = {
    endpoint: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  started.push(fake);
  return fake;
}

/** Accepts connections and never says anything: a firewall that drops, or a hung server. */
export function silentServer(): Promise<FakeServer> {
  return listen(() => undefined);
}

/** Sends a greeting, then closes the connection as soon as the client says anything. */
export function greetThenCloseServer(greeting: string): Promise<FakeServer> {
  return listen((socket) => {
    socket.write(greeting);
    socket.once('data', () => socket.destroy());
  });
}

/** Sends one line and closes at once, as a server refusing service does. */
export function byeServer(line: string): Promise<FakeServer> {
  return listen((socket) => socket.end(line));
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<Endpoint> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { host: '127.0.0.1', port };
}

/** A small RFC 5322 message for deliverMail. */
export function rawMessage(to: string, subject: string): string {
  return [
    'From: <someone@elsewhere.test>',
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@elsewhere.test>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello.',
    '.a line starting with a dot',
    '',
  ].join('\r\n');
}
