/**
 * An email body written by an attacker renders inert: no script runs (script
 * tags, event handlers, javascript: links), and nothing remote is fetched
 * (images, backgrounds, stylesheets, frames, refreshes), checked both by the
 * browser's own request log and by a local server that counts every hit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  screenshot,
  signIn,
  startConsole,
  type Browser,
  type ConsoleFixture,
} from './support/console.js';

/** Every path a hostile body tries to reach on the tracking server. */
function hostileBody(origin: string): string {
  return `
<p id="greeting">Hello <b>admin</b>, please review the attached invoice.</p>
<script>fetch('${origin}/script'); window.parent.document.title = 'pwned';</script>
<img src="${origin}/pixel.png" width="1" height="1" alt="">
<img src="x" onerror="fetch('${origin}/onerror')">
<svg onload="fetch('${origin}/svg')"><circle r="1"/></svg>
<div style="background-image:url(${origin}/background.png)">Styled text</div>
<table background="${origin}/table.png"><tr><td>cell</td></tr></table>
<style>@import url(${origin}/import.css); .x { background: url(${origin}/css.png) }</style>
<a id="js-link" href="javascript:fetch('${origin}/javascript')">click me</a>
<iframe src="${origin}/frame"></iframe>
<link rel="stylesheet" href="${origin}/link.css">
<meta http-equiv="refresh" content="0;url=${origin}/refresh">
<form action="${origin}/form"><input name="q"><button>Go</button></form>
<object data="${origin}/object"></object>
<video poster="${origin}/poster.png"></video>
<img srcset="${origin}/srcset.png 2x">
<body onload="fetch('${origin}/body')">`;
}

describe('a hostile email body', () => {
  let fixture: ConsoleFixture;
  let browser: Browser;
  let tracker: Server;
  const hits: string[] = [];
  let origin: string;
  let emailId: string;

  beforeAll(async () => {
    tracker = createServer((request, response) => {
      hits.push(request.url ?? '');
      response.end('tracked');
    });
    await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
    [fixture, browser] = await Promise.all([startConsole(), launchBrowser()]);
    const email = await fixture.f.post<{ id: string }>('/api/emails', {
      subject: 'Invoice 2024-117',
      direction: 'incoming',
      status: 'received',
      bodyHtml: hostileBody(origin),
      from: [{ address: 'attacker@evil.test' }],
      to: [{ address: 'admin@example.test' }],
    });
    emailId = email.id;
  });
  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
    await new Promise((resolve) => tracker?.close(resolve));
  });

  it('shows the text, runs no script and fetches nothing remote', async () => {
    const page = await browser.newPage('laptop');
    await signIn(page, fixture);
    await page.goto(`${fixture.baseUrl}/activities/emails/${emailId}`);
    await page.getByRole('heading', { name: 'Invoice 2024-117' }).waitFor();
    const body = page.frameLocator('iframe[title="Email body"]');
    await body.getByText('please review the attached invoice').waitFor();
    await page.getByRole('status').filter({ hasText: 'Remote content blocked' }).waitFor();
    // Time for anything that would fire (onload, onerror, refresh) to fire.
    await page.waitForTimeout(1500);
    await screenshot(page, 'hostile-email', 'laptop');

    expect(hits).toEqual([]);
    expect(browser.requests.filter((url) => url.startsWith(origin))).toEqual([]);
    expect(await page.title()).not.toBe('pwned');

    // What is left in the frame is inert markup.
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame).toBeDefined();
    const inert = await frame!.evaluate(`(() => {
      const all = [...document.querySelectorAll('*')];
      return {
        // The frame's own Content-Security-Policy meta is the only meta element allowed.
        scripts: document.querySelectorAll(
          'script, iframe, object, embed, form, link, meta[http-equiv]:not([http-equiv="Content-Security-Policy"])',
        ).length,
        handlers: all.filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        remote: all.filter((el) => ['src', 'srcset', 'background', 'poster', 'href']
          .some((name) => (el.getAttribute(name) || '').includes('${origin}'))).length,
        javascriptLinks: [...document.querySelectorAll('a')].filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length,
        styles: [...document.querySelectorAll('style')].filter((s) => s.textContent.includes('${origin}')).length,
      };
    })()`);
    expect(inert).toEqual({ scripts: 0, handlers: 0, remote: 0, javascriptLinks: 0, styles: 0 });

    // The frame is sandboxed without scripts or same-origin access.
    const sandbox = await page.locator('iframe[title="Email body"]').getAttribute('sandbox');
    expect(sandbox?.split(' ')).not.toContain('allow-scripts');
    expect(sandbox?.split(' ')).not.toContain('allow-same-origin');

    // Clicking the former javascript: link does nothing either.
    await body.getByText('click me').click();
    await page.waitForTimeout(300);
    expect(hits).toEqual([]);
    expect(browser.errors.filter((e) => !e.includes('Content Security Policy'))).toEqual([]);
  });

  it('serves the console with a Content Security Policy that forbids remote content and inline scripts', async () => {
    const response = await fetch(`${fixture.baseUrl}/activities/emails/${emailId}`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("img-src 'self' data:");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
