/**
 * The pieces of console sign-in that need no server: password hashing, the
 * sign-in brake, the CSRF token and cookie handling.
 */
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../src/security/login-throttle.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../../src/security/passwords.js';
import { csrfMatches, csrfTokenFor, readCookie, sessionCookie } from '../../../src/security/sessions.js';

describe('passwords', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'not-a-hash')).toBe(false);
  });

  it('refuses short passwords and the user name', () => {
    expect(passwordProblem('short', 'jo')).toMatch(/at least 10/);
    expect(passwordProblem('Alice.Admin', 'alice.admin')).toMatch(/user name/);
    expect(passwordProblem('a long enough passphrase', 'alice')).toBeUndefined();
  });
});

describe('the sign-in brake', () => {
  it('refuses a key after too many failures within the window, and forgets them after it', () => {
    const throttle = new LoginThrottle({ maxFailures: 3, windowMs: 1000 });
    for (let i = 0; i < 3; i += 1) throttle.fail(['user:a', 'ip:1'], 100 + i);
    expect(throttle.retryAfter(['user:a'], 200)).toBe(900);
    expect(throttle.retryAfter(['user:b', 'ip:1'], 200)).toBe(900);
    expect(throttle.retryAfter(['user:b', 'ip:2'], 200)).toBe(0);
    expect(throttle.retryAfter(['user:a'], 1200)).toBe(0);
    throttle.fail(['user:c'], 0);
    throttle.succeed('user:c');
    expect(throttle.retryAfter(['user:c'], 1)).toBe(0);
  });
});

describe('session cookie and CSRF token', () => {
  it('derives a per-session CSRF token and compares it exactly', () => {
    const token = csrfTokenFor('secret-1');
    expect(token).not.toBe(csrfTokenFor('secret-2'));
    expect(csrfMatches('secret-1', token)).toBe(true);
    expect(csrfMatches('secret-2', token)).toBe(false);
    expect(csrfMatches('secret-1', undefined)).toBe(false);
    expect(csrfMatches('secret-1', `${token}x`)).toBe(false);
  });

  it('reads one cookie among several and writes HTTP-only, SameSite=Strict cookies', () => {
    expect(readCookie('a=1; mailroom_session=abc-_1; b=2', 'mailroom_session')).toBe('abc-_1');
    expect(readCookie('mailroom_sessionx=1', 'mailroom_session')).toBeUndefined();
    expect(readCookie(undefined, 'mailroom_session')).toBeUndefined();
    expect(sessionCookie('s', { secure: true })).toBe(
      'mailroom_session=s; Path=/; HttpOnly; SameSite=Strict; Secure',
    );
    expect(sessionCookie(null, { secure: false })).toBe(
      'mailroom_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
    );
  });
});
