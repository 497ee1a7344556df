/**
 * A running API on a fresh database, for integration tests: the organization
 * is bootstrapped and the administrator's token is at hand. Requests go
 * through Fastify's `inject`, the same code path as the network.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/api/server.js';
import {
  actConnector,
  classifyFailure,
  incomingConnector,
  outgoingConnector,
} from '../../src/connectors/index.js';
import { TestRunner } from '../../src/mailboxes/test-runner.js';
import { bootstrap, type BootstrapResult } from '../../src/organization/bootstrap.js';
import { createSecretBox, type SecretBox } from '../../src/security/secrets.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { testCa } from './mail-users.js';

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly raw: LightMyRequestResponse;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  readonly secrets: SecretBox;
  readonly organization: BootstrapResult;
  readonly adminToken: string;
  /** present when created with `{ testRunner: true }` */
  readonly testRunner?: TestRunner;
  request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    options?: { token?: string | null; body?: unknown },
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * Run Test & Enable in this process with the real connectors, trusting the
   * test servers' CA (integration project only: it needs the running servers).
   */
  readonly testRunner?: boolean;
  /** the key credentials are sealed with (default: a random one), for tests that start the CLI too */
  readonly secretKey?: Buffer;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const secrets = createSecretBox(options.secretKey ?? randomBytes(32));
  const organization = await bootstrap(database.db);
  const testRunner = options.testRunner
    ? new TestRunner({
        db: database.db,
        secrets,
        trust: { extraCa: testCa().toString('utf8') },
        connectors: { incoming: incomingConnector, outgoing: outgoingConnector, act: actConnector },
        classify: classifyFailure,
      })
    : undefined;
  const app = await buildServer({
    db: database.db,
    databaseKind: 'postgres',
    secrets,
    version: 'test',
    ...(testRunner ? { testRunner } : {}),
  });
  const adminToken = organization.adminToken ?? '';
  return {
    app,
    database,
    secrets,
    organization,
    adminToken,
    ...(testRunner ? { testRunner } : {}),
    async request(method, url, options = {}) {
      const token = options.token === undefined ? adminToken : options.token;
      const raw = await app.inject({
        method,
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(options.body === undefined ? {} : { payload: options.body as Record<string, unknown> }),
      });
      const text = raw.body;
      const body = text && raw.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text;
      return { status: raw.statusCode, body, raw };
    },
    async close() {
      await testRunner?.idle();
      await app.close();
      await database.drop();
    },
  };
}
