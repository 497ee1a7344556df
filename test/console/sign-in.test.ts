/**
 * Signing in to the console in Chromium: with a password and with an API
 * token, a wrong password refused, the session cookie out of scripts' reach,
 * a change without the CSRF token refused, and signing out.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  launchBrowser,
  screenshot,
  signIn,
  SIZES,
  startConsole,
  type Browser,
  type ConsoleFixture,
  type SizeName,
} from './support/console.js';

describe('signing in to the console', () => {
  let fixture: ConsoleFixture;
  let browser: Browser;

  beforeAll(async () => {
    [fixture, browser] = await Promise.all([startConsole(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  async function signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  it('shows the sign-in page at both sizes and refuses a wrong password', async () => {
    for (const size of Object.keys(SIZES) as SizeName[]) {
      const page = await browser.newPage(size);
      await page.goto(`${fixture.baseUrl}/mailboxes`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screenshot(page, 'sign-in', size);
      await page.close();
    }
    const page = await browser.newPage();
    await page.goto(fixture.baseUrl);
    await page.getByRole('textbox', { name: 'User name', exact: true }).fill(fixture.adminUsername);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The user name or password is incorrect' }).waitFor();
    await page.close();
  });

  it('signs in with the password; the session cookie is HTTP-only and changes need the CSRF token', async () => {
    const page = await browser.newPage();
    await signIn(page, fixture);
    const cookies = await browser.context.cookies(fixture.baseUrl);
    expect(cookies.find((cookie) => cookie.name === 'mailroom_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    // Scripts on the page cannot read it…
    expect(await page.evaluate('document.cookie')).not.toContain('mailroom_session');
    // …and a request that carries the cookie but not the CSRF token changes nothing.
    const forged = await page.evaluate(
      `fetch('/api/organization', { method: 'PATCH', headers: { 'content-type': 'application/json' },
         body: JSON.stringify({ productName: 'Forged' }) }).then((r) => r.status)`,
    );
    expect(forged).toBe(403);
    // The browser logs that refused request as an error; it was the point of the check.
    browser.errors.length = 0;
    expect((await fixture.f.get<{ productName: string }>('/api/organization')).productName).toBe('Mailroom');

    await signOut(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await browser.context.cookies(fixture.baseUrl)).some((c) => c.name === 'mailroom_session')).toBe(
      false,
    );
    await page.close();
  });

  it('signs in with an API token, and keyboard alone reaches the page content', async () => {
    const page = await browser.newPage();
    await page.goto(fixture.baseUrl);
    await page.getByRole('radio', { name: 'API token' }).check();
    await page.getByLabel('Token', { exact: true }).fill(fixture.f.t.adminToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // On a page just opened, the first Tab reaches "Skip to content", which moves focus to the page itself.
    await page.goto(`${fixture.baseUrl}/mailboxes`);
    await page.getByRole('heading', { name: 'Mailboxes' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await signOut(page);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.close();
    expect(browser.errors).toEqual([]);
  });
});
