/**
 * Makes an email's HTML safe to look at. Email is written by strangers, so
 * its HTML is treated as hostile:
 * - DOMPurify removes scripts, event handlers, javascript: URLs, forms,
 *   frames, objects and other active content;
 * - every reference to a remote resource (images, backgrounds, stylesheets,
 *   fonts) is removed, so opening an email never tells its sender that it
 *   was read (tracking pixels) and fetches nothing;
 * - what is left is shown in a sandboxed frame without scripts and with its
 *   own Content Security Policy that allows no remote content (see
 *   SafeEmailBody), so a sanitizer bug alone still cannot run or fetch
 *   anything.
 */
import DOMPurify from 'dompurify';

const REMOTE = /^\s*(https?:|\/\/|ftp:)/i;
// Global, for replace and match (which reset lastIndex); HAS_URL_IN_CSS is the stateless test.
const URL_IN_CSS = /url\s*\([^)]*\)|@import[^;]*;?/gi;
const HAS_URL_IN_CSS = /url\s*\(|@import/i;
const RESOURCE_ATTRIBUTES = ['src', 'srcset', 'background', 'poster', 'lowsrc', 'dynsrc', 'xlink:href'];

export interface SanitizedEmail {
  readonly html: string;
  /** how many remote resources were removed */
  readonly blocked: number;
}

const purifier = DOMPurify(window);
let blockedInCurrentRun = 0;

purifier.addHook('uponSanitizeElement', (node) => {
  // Inline <style> blocks may load remote fonts and images through url() and @import.
  if (node instanceof HTMLStyleElement && node.textContent && HAS_URL_IN_CSS.test(node.textContent)) {
    blockedInCurrentRun += node.textContent.match(URL_IN_CSS)?.length ?? 0;
    node.textContent = node.textContent.replace(URL_IN_CSS, '');
  }
});

purifier.addHook('afterSanitizeAttributes', (node) => {
  if (!(node instanceof Element)) return;
  for (const name of RESOURCE_ATTRIBUTES) {
    const value = node.getAttribute(name);
    if (value && (REMOTE.test(value) || name === 'srcset')) {
      node.removeAttribute(name);
      blockedInCurrentRun += 1;
    }
  }
  const style = node.getAttribute('style');
  if (style && HAS_URL_IN_CSS.test(style)) {
    node.setAttribute('style', style.replace(URL_IN_CSS, ''));
    blockedInCurrentRun += 1;
  }
  // Links open in a new tab (the frame allows that, nothing else), without telling the target where from.
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

export function sanitizeEmailHtml(html: string): SanitizedEmail {
  blockedInCurrentRun = 0;
  const clean = purifier.sanitize(html, {
    FORBID_TAGS: [
      'form',
      'input',
      'button',
      'textarea',
      'select',
      'iframe',
      'frame',
      'frameset',
      'object',
      'embed',
      'link',
      'meta',
      'base',
      'video',
      'audio',
      'source',
      'track',
    ],
    FORBID_ATTR: ['action', 'formaction', 'ping'],
    ALLOW_DATA_ATTR: false,
  });
  return { html: clean, blocked: blockedInCurrentRun };
}

/** The frame's own policy: nothing remote, no scripts; inline styles and data: images are fine. */
export const EMAIL_FRAME_CSP =
  "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src data:";

export function emailDocument(cleanHtml: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${EMAIL_FRAME_CSP}"><meta name="referrer" content="no-referrer"><style>body{font:14px/1.5 system-ui,sans-serif;margin:12px;color:#1b1b1b;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style></head><body>${cleanHtml}</body></html>`;
}
