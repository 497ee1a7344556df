/**
 * Console sign-in: passwords (scrypt, never shown), sessions in HTTP-only
 * cookies, CSRF tokens on state-changing requests, sign-in with an API token,
 * sign-out, and password changes that end the user's other sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';

interface SessionView {
  user: { id: string; name: string; username: string };
  csrfToken: string;
  expiresAt: string;
}

describe('console sessions', () => {
  let t: TestApp;
  let userId: string;
  const password = 'correct horse battery';

  /** A request as a browser makes it: the cookie, and the CSRF header when given. */
  async function browser(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    options: { cookie?: string; csrf?: string; body?: unknown } = {},
  ) {
    const res = await t.app.inject({
      method,
      url,
      headers: {
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.csrf ? { 'x-csrf-token': options.csrf } : {}),
      },
      ...(options.body === undefined ? {} : { payload: options.body as Record<string, unknown> }),
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body ? JSON.parse(res.body) : undefined,
    };
  }

  async function signIn(body: Record<string, string>): Promise<{ cookie: string; session: SessionView }> {
    const res = await browser('POST', '/api/session', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const setCookie = String(res.headers['set-cookie']);
    return { cookie: setCookie.split(';')[0] ?? '', session: res.body as SessionView };
  }

  beforeAll(async () => {
    t = await createTestApp();
    const user = await t.request<{ id: string }>('POST', '/api/users', {
      body: { name: 'Console Admin', username: 'console.admin' },
    });
    userId = user.body.id;
    const roles = await t.request<{ items: { id: string; name: string }[] }>('GET', '/api/roles');
    const admin = roles.body.items.find((role) => role.name === 'System Administrator');
    await t.request('POST', `/api/users/${userId}/roles`, { body: { roleId: admin?.id } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets an administrator set a password, which is stored as a slow hash and never shown', async () => {
    const weak = await t.request('PUT', `/api/users/${userId}/password`, { body: { password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ details: [{ field: 'password' }] });

    const set = await t.request('PUT', `/api/users/${userId}/password`, { body: { password } });
    expect(set.status).toBe(204);
    const state = await t.request<{ set: boolean; changedAt: string }>(
      'GET',
      `/api/users/${userId}/password`,
    );
    expect(state.body).toMatchObject({ set: true, changedAt: expect.any(String) });
    const row = await t.database.db
      .selectFrom('userPasswords')
      .select('passwordHash')
      .where('userId', '=', userId)
      .executeTakeFirstOrThrow();
    expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.passwordHash).not.toContain(password);
    const user = await t.request('GET', `/api/users/${userId}`);
    expect(JSON.stringify(user.body)).not.toMatch(/scrypt|passwordHash/);
  });

  it('signs in with the password into an HTTP-only, SameSite=Strict cookie', async () => {
    const res = await browser('POST', '/api/session', { body: { username: 'Console.Admin', password } });
    expect(res.status).toBe(201);
    expect(String(res.headers['set-cookie'])).toMatch(
      /^mailroom_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(res.body).toMatchObject({
      user: { id: userId, username: 'console.admin' },
      csrfToken: expect.any(String),
    });
  });

  it('refuses a wrong password or an unknown user with the same answer', async () => {
    const wrong = await browser('POST', '/api/session', {
      body: { username: 'console.admin', password: 'nope' },
    });
    const unknown = await browser('POST', '/api/session', { body: { username: 'nobody', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('reads with the cookie alone, but changes nothing without the CSRF token', async () => {
    const { cookie, session } = await signIn({ username: 'console.admin', password });
    expect((await browser('GET', '/api/me', { cookie })).body).toMatchObject({ id: userId });
    expect((await browser('GET', '/api/session', { cookie })).body).toMatchObject({
      csrfToken: session.csrfToken,
    });

    const forged = await browser('PATCH', '/api/organization', { cookie, body: { productName: 'Forged' } });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'MR_ERR_CSRF' });
    const wrongToken = await browser('PATCH', '/api/organization', {
      cookie,
      csrf: `${session.csrfToken.slice(0, -2)}xx`,
      body: { productName: 'Forged' },
    });
    expect(wrongToken.status).toBe(403);

    const real = await browser('PATCH', '/api/organization', {
      cookie,
      csrf: session.csrfToken,
      body: { productName: 'Mailroom' },
    });
    expect(real.status).toBe(200);
  });

  it('signs in with an API token too, and that session ends when the token is revoked', async () => {
    const token = await t.request<{ id: string; token: string }>('POST', '/api/tokens', {
      body: { name: 'console', userId },
    });
    const { cookie, session } = await signIn({ token: token.body.token });
    expect(session.user.id).toBe(userId);
    expect((await browser('GET', '/api/me', { cookie })).status).toBe(200);
    const revoke = await browser('DELETE', `/api/tokens/${token.body.id}`, {
      cookie,
      csrf: session.csrfToken,
    });
    expect(revoke.status).toBe(204);
    expect((await browser('GET', '/api/me', { cookie })).status).toBe(401);
  });

  it('signs out: the cookie is cleared and no longer works', async () => {
    const { cookie, session } = await signIn({ username: 'console.admin', password });
    expect((await browser('DELETE', '/api/session', { cookie })).status).toBe(403);
    const out = await browser('DELETE', '/api/session', { cookie, csrf: session.csrfToken });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^mailroom_session=; .*Max-Age=0/);
    expect((await browser('GET', '/api/me', { cookie })).status).toBe(401);
  });

  it('needs the current password to change your own, and ends your other sessions', async () => {
    const here = await signIn({ username: 'console.admin', password });
    const elsewhere = await signIn({ username: 'console.admin', password });
    const refused = await browser('PUT', `/api/users/${userId}/password`, {
      cookie: here.cookie,
      csrf: here.session.csrfToken,
      body: { password: 'a brand new passphrase' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ details: [{ field: 'currentPassword' }] });

    const changed = await browser('PUT', `/api/users/${userId}/password`, {
      cookie: here.cookie,
      csrf: here.session.csrfToken,
      body: { password: 'a brand new passphrase', currentPassword: password },
    });
    expect(changed.status).toBe(204);
    expect((await browser('GET', '/api/me', { cookie: here.cookie })).status).toBe(200);
    expect((await browser('GET', '/api/me', { cookie: elsewhere.cookie })).status).toBe(401);
    const old = await browser('POST', '/api/session', { body: { username: 'console.admin', password } });
    expect(old.status).toBe(401);
    await signIn({ username: 'console.admin', password: 'a brand new passphrase' });
  });

  it('does not let a disabled user sign in', async () => {
    await t.request('PATCH', `/api/users/${userId}`, { body: { disabled: true } });
    const res = await browser('POST', '/api/session', {
      body: { username: 'console.admin', password: 'a brand new passphrase' },
    });
    expect(res.status).toBe(401);
    await t.request('PATCH', `/api/users/${userId}`, { body: { disabled: false } });
  });
});
