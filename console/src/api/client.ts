/**
 * The one way the console talks to Mailroom: the public REST API under /api,
 * signed in by the session cookie. The cookie is HTTP-only, so this code never
 * sees it; it only keeps the session's CSRF token (in memory, not in storage)
 * and sends it on every state-changing request.
 */

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** An error answer of the API, with its stable code (e.g. MR_ERR_FORBIDDEN). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Problems with named fields, for forms that show them next to the field. */
  get fieldProblems(): FieldProblem[] {
    return Array.isArray(this.details)
      ? this.details.filter(
          (d): d is FieldProblem => typeof d === 'object' && d !== null && 'field' in d && 'message' in d,
        )
      : [];
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the API says the session has ended, so the app can show the sign-in page. */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

function errorFrom(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
    const { code, message, details } = body as { code: unknown; message: unknown; details?: unknown };
    return new ApiError(status, String(code), String(message), details);
  }
  return new ApiError(status, 'MR_ERR_HTTP', `The server answered ${status}`);
}

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = errorFrom(response.status, parsed);
    // Signing in itself answers 401 for a wrong password; that is not "the session ended".
    if (response.status === 401 && path !== '/api/session') onSignedOut?.();
    throw error;
  }
  return parsed as T;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export type Query = Readonly<Record<string, string | undefined>>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface Listing<T> {
  readonly items: T[];
  /** more records exist than were loaded */
  readonly truncated: boolean;
}

/**
 * Every record of a list up to `max`, following the API's cursors. The
 * console's grids sort and filter what they show; a limit keeps a very large
 * organization from loading everything at once (the grid says so).
 */
export async function listAll<T>(path: string, query: Query = {}, max = 1000): Promise<Listing<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await api<Page<T>>('GET', withQuery(path, { ...query, limit: '200', cursor }));
    items.push(...page.items);
    if (!page.nextCursor) return { items, truncated: false };
    if (items.length >= max) return { items, truncated: true };
    cursor = page.nextCursor;
  }
}
