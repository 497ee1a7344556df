/**
 * Serves the built console (a single-page app from console/, built by
 * `npm run build:console` into console/dist) at /. Every path outside /api
 * that is not a file answers with index.html, so that a deep link such as
 * /mailboxes/ID opens the app on that page; /api stays the API (unknown API
 * paths still get the API's 404/405 answers).
 *
 * The console's own pages get a strict Content Security Policy: scripts only
 * from this origin, no plugins, no framing by other sites, and images only
 * from this origin or data: URLs. Email bodies are shown in sandboxed frames
 * that inherit it, so a remote image in an email is never fetched.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consolePlaceholder } from './placeholder.js';

export const DEFAULT_CONSOLE_ROOT = fileURLToPath(new URL('../../console/dist/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Style attributes set by React and the chart library.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/** The file a URL path names inside root, or undefined when it escapes root or is not a file. */
async function fileIn(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const file = path.resolve(root, `.${decoded}`);
  if (!file.startsWith(root)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function registerConsole(app: FastifyInstance, options: { version: string; root?: string }): void {
  const root = path.resolve(options.root ?? DEFAULT_CONSOLE_ROOT) + path.sep;
  const index = path.join(root, 'index.html');

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const urlPath = request.url.split('?')[0] ?? '/';
    if (urlPath === '/api' || urlPath.startsWith('/api/')) return reply.callNotFound();
    if (!existsSync(index)) {
      return securityHeaders(reply)
        .type('text/html; charset=utf-8')
        .send(consolePlaceholder(options.version));
    }
    const file = urlPath === '/' ? undefined : await fileIn(root, urlPath);
    if (file && file !== index) {
      const hashed = urlPath.startsWith('/assets/');
      return securityHeaders(reply)
        .type(CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(await readFile(file));
    }
    // A missing file (a name with an extension) is a 404, not the app: a broken asset link should show as one.
    if (path.extname(urlPath) !== '') return reply.callNotFound();
    return securityHeaders(reply)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await readFile(index));
  };
  app.get('/', serve);
  app.get('/*', serve);
}
