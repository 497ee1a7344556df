import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';

describe('API basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers health without a token', async () => {
    const res = await t.request('GET', '/api/health', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'postgres' });
  });

  it('refuses calls without a token with 401 and the error body', async () => {
    const res = await t.request('GET', '/api/users', { token: null });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'MR_ERR_UNAUTHORIZED' });
  });

  it('creates a user with a mailbox and lists it', async () => {
    const created = await t.request('POST', '/api/users', {
      body: { name: 'Alice', username: 'alice', emailAddress: 'alice@example.test' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'alice', mailboxId: expect.any(String) });
    const list = await t.request<{ items: { username: string }[] }>('GET', '/api/users?username=alice');
    expect(list.body.items.map((u) => u.username)).toEqual(['alice']);
  });

  it('serves an OpenAPI 3.1 document', async () => {
    const res = await t.request<{ openapi: string; paths: Record<string, unknown> }>('GET', '/api/openapi.json', { token: null });
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain('/api/mailboxes/{id}');
  });
});
