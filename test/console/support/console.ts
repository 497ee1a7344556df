/**
 * For console tests: the real server (buildServer with a Test & Enable runner
 * against the real test servers, on a fresh database) listening on a real
 * loopback port and serving the built console, an administrator with a
 * password, and Debian's Chromium driven by playwright-core.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createSyncFixture, type SyncFixture } from '../../support/sync.js';

export const CHROMIUM = process.env.MAILROOM_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results/console');
export const ADMIN_PASSWORD = 'console admin passphrase';

/** Laptop and phone, the two sizes every page is checked and photographed at. */
export const SIZES = {
  laptop: { width: 1366, height: 820 },
  phone: { width: 390, height: 844 },
} as const;
export type SizeName = keyof typeof SIZES;

export interface ConsoleFixture {
  readonly f: SyncFixture;
  /** http://127.0.0.1:PORT */
  readonly baseUrl: string;
  readonly adminUsername: string;
  close(): Promise<void>;
}

export async function startConsole(): Promise<ConsoleFixture> {
  const f = await createSyncFixture();
  await f.t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = f.t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server did not get a port');
  const adminId = f.t.organization.adminUserId;
  const admin = await f.get<{ username: string }>(`/api/users/${adminId}`);
  const set = await f.t.request('PUT', `/api/users/${adminId}/password`, {
    body: { password: ADMIN_PASSWORD },
  });
  expect(set.status).toBe(204);
  return {
    f,
    baseUrl: `http://127.0.0.1:${address.port}`,
    adminUsername: admin.username,
    close: () => f.close(),
  };
}

export interface Browser {
  readonly context: BrowserContext;
  /** every URL the browser requested, in order */
  readonly requests: string[];
  /** console errors and uncaught page errors */
  readonly errors: string[];
  newPage(size?: SizeName): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile, no network services of its own, and a log of what it requested. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'mailroom-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: SIZES.laptop,
  });
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('weberror', (error) => errors.push(String(error.error())));
  return {
    context,
    requests,
    errors,
    async newPage(size: SizeName = 'laptop') {
      const page = await context.newPage();
      await page.setViewportSize(SIZES[size]);
      page.on('console', (message) => {
        // The app asks GET /api/session before anyone signs in; its 401 is the expected "not signed in".
        if (message.type() === 'error' && !message.text().includes('status of 401'))
          errors.push(message.text());
      });
      return page;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in with the administrator's password, unless the browser's session cookie still signs it in. */
export async function signIn(page: Page, fixture: ConsoleFixture): Promise<void> {
  await page.goto(fixture.baseUrl);
  const first = page.getByRole('heading', { name: /^(Sign in|Dashboard)$/ });
  await first.waitFor();
  if ((await first.textContent()) === 'Dashboard') return;
  await page.getByRole('textbox', { name: 'User name', exact: true }).fill(fixture.adminUsername);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Saves a screenshot of the whole page as test-results/console/NAME-SIZE.png. */
export async function screenshot(page: Page, name: string, size: SizeName): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
}

/** Opens a page of the site map the way a person does: through the Menu on a phone, directly on a laptop. */
export async function navigate(page: Page, label: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page
    .getByRole('navigation', { name: 'Site map' })
    .getByRole('link', { name: label, exact: true })
    .click();
}

export interface AdminSession {
  readonly fixture: ConsoleFixture;
  readonly browser: Browser;
  readonly page: Page;
}

/**
 * For a test file that clicks as the administrator: a console server and
 * Chromium for the whole file, `prepare` run on the server before signing in,
 * a laptop-size page signed in; a failing test leaves a screenshot named
 * after it. Read `fixture` and `page` inside tests (they exist once the
 * file's setup ran).
 */
export function adminSession(
  options: {
    readonly prepare?: (fixture: ConsoleFixture) => Promise<void>;
    readonly close?: () => Promise<void>;
  } = {},
): AdminSession {
  let fixture: ConsoleFixture | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    [fixture, browser] = await Promise.all([startConsole(), launchBrowser()]);
    await options.prepare?.(fixture);
    page = await browser.newPage('laptop');
    await signIn(page, fixture);
  });
  afterAll(async () => {
    await browser?.close();
    await options.close?.();
    await fixture?.close();
  });
  afterEach(async (context) => {
    if (page && context.task.result?.state === 'fail')
      await screenshot(page, `failed-${context.task.name.slice(0, 12).replace(/\W+/g, '-')}`, 'laptop');
  });
  return {
    get fixture() {
      if (!fixture) throw new Error('the console session is not set up yet');
      return fixture;
    },
    get browser() {
      if (!browser) throw new Error('the console session is not set up yet');
      return browser;
    },
    get page() {
      if (!page) throw new Error('the console session is not set up yet');
      return page;
    },
  };
}
