/**
 * What may reach a log line. Logs go to places with weaker protection than
 * the database (terminals, log shippers, support tickets), so:
 *
 * - credentials never: any field whose name says password, secret, token,
 *   authorization, cookie, credential or key is replaced, at any depth;
 * - message content never: subjects, bodies and raw sources are replaced too,
 *   even though a subject is not a credential, because it is the sender's
 *   words and often personal.
 *
 * Two layers: pino's `redact` paths for the HTTP request serializer's
 * headers (known places, fast), and a scrub of every logged object for the
 * names above wherever they appear. Error objects are left to pino's error
 * serializer (their message and stack are needed to fix bugs).
 */
import type { LoggerOptions } from 'pino';

export const CENSOR = '[redacted]';

/** Exact places pino redacts after serializing a request. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

const CREDENTIAL_NAME =
  /pass(word|wd|phrase)?$|secret|token|authori[sz]ation|cookie|credential|api[-_]?key|private[-_]?key|^key$/i;
const CONTENT_NAME = /^(subject|body|bodyText|bodyHtml|html|text|raw|source|content|emailSubject)$/i;

/** Whether a field of this name must never be logged with its value. */
export function isSensitiveField(name: string): boolean {
  return CREDENTIAL_NAME.test(name) || CONTENT_NAME.test(name);
}

const MAX_DEPTH = 8;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Numbers and flags (a lease's fencing token, `passwordSet: true`) cannot hold a credential or a text. */
function carriesText(value: unknown): boolean {
  return value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'boolean';
}

/**
 * A copy of `value` with sensitive fields censored; parts without any are
 * returned as they are (no copy). Plain objects and arrays are walked; other
 * objects (errors, dates, buffers) are kept for pino's serializers.
 */
export function scrubLogObject<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const copy = value.map((item: unknown) => {
      const scrubbed = scrubLogObject(item, depth + 1);
      if (scrubbed !== item) changed = true;
      return scrubbed;
    });
    return (changed ? copy : value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    const scrubbed = isSensitiveField(key) && carriesText(field) ? CENSOR : scrubLogObject(field, depth + 1);
    if (scrubbed !== field) {
      copy ??= { ...value };
      copy[key] = scrubbed;
    }
  }
  return (copy ?? value) as T;
}

/** The pino options every Mailroom logger is built with. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    formatters: { log: (object) => scrubLogObject(object) },
  };
}
