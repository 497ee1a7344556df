/**
 * How the server serves the console: any path outside /api without a file
 * extension is a client-side route and answers index.html; files come from
 * the build folder only; /api paths keep the API's own 404; without a build,
 * / explains how to make one. Every console answer carries the security headers.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/server.js';
import type { FastifyInstance } from 'fastify';
import { createSecretBox } from '../../../src/security/secrets.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

describe('serving the console', () => {
  let database: TestDatabase;
  let root: string;
  let built: FastifyInstance;
  let unbuilt: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase();
    root = await mkdtemp(path.join(os.tmpdir(), 'mailroom-console-'));
    await mkdir(path.join(root, 'dist', 'assets'), { recursive: true });
    await writeFile(path.join(root, 'dist', 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(path.join(root, 'dist', 'assets', 'app-1234.js'), 'console.log(1)');
    await writeFile(path.join(root, 'secret.txt'), 'outside the build folder');
    const common = {
      db: database.db,
      databaseKind: 'postgres' as const,
      secrets: createSecretBox(Buffer.alloc(32, 1)),
      version: 'test',
    };
    built = await buildServer({ ...common, consoleRoot: path.join(root, 'dist') });
    unbuilt = await buildServer({ ...common, consoleRoot: path.join(root, 'missing') });
  });
  afterAll(async () => {
    await built?.close();
    await unbuilt?.close();
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('answers client-side routes with index.html and the security headers', async () => {
    for (const url of ['/', '/mailboxes', '/security/users/0190abcd?view=all']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>console</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves built files, caching hashed assets, and nothing outside the build folder', async () => {
    const asset = await built.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    for (const url of ['/assets/missing.js', '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('outside the build folder');
    }
    expect((await built.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('keeps /api answers the API’s own', async () => {
    const res = await built.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'MR_ERR_ROUTE_NOT_FOUND' });
  });

  it('explains how to build the console when it is not built', async () => {
    const res = await unbuilt.inject({ method: 'GET', url: '/mailboxes' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build:console');
  });
});
