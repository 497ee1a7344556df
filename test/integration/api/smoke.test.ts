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
    const res = await t.request<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/api/openapi.json',
      { token: null },
    );
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain('/api/mailboxes/{id}');
  });
});

describe('guards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('filters email addresses ignoring case', async () => {
    await t.request('POST', '/api/contacts', {
      body: { lastName: 'Case', emailAddress1: 'Mixed.Case@Example.test' },
    });
    const found = await t.request<{ items: unknown[] }>(
      'GET',
      '/api/contacts?emailAddress1=mixed.case@example.TEST',
    );
    expect(found.body.items).toHaveLength(1);
  });

  it('refuses to delete the System Administrator role', async () => {
    const roles = await t.request<{ items: { id: string; predefinedKey: string | null }[] }>(
      'GET',
      '/api/roles',
    );
    const admin = roles.body.items.find((role) => role.predefinedKey === 'systemAdministrator');
    const res = await t.request('DELETE', `/api/roles/${admin?.id}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'MR_ERR_CONFLICT' });
  });

  it("refuses to delete a user's mailbox but deletes a forward mailbox", async () => {
    const user = await t.request<{ mailboxId: string }>('POST', '/api/users', {
      body: { name: 'Bo', username: 'bo' },
    });
    const refused = await t.request('DELETE', `/api/mailboxes/${user.body.mailboxId}`);
    expect(refused.status).toBe(409);
    const forward = await t.request<{ id: string }>('POST', '/api/mailboxes', {
      body: { name: 'Forward', isForwardMailbox: true, emailAddress: 'fwd@example.test' },
    });
    expect(forward.status).toBe(201);
    expect((await t.request('DELETE', `/api/mailboxes/${forward.body.id}`)).status).toBe(204);
  });

  it('refuses tokens that expire in the past', async () => {
    const res = await t.request('POST', '/api/tokens', {
      body: { name: 'old', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ details: [{ field: 'expiresAt' }] });
  });
});
