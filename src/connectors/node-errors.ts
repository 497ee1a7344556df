/**
 * Reading Node errors that arrive through protocol libraries. Libraries wrap
 * or overwrite Node's error codes (nodemailer replaces `ECONNREFUSED` and
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE` with its own `ESOCKET`), so the original
 * code is recovered from what survives: `errno`, the message Node wrote, or
 * OpenSSL's `reason`. Everything here takes `unknown`, because a thrown value
 * can be anything.
 */
import { getSystemErrorName } from 'node:util';

/** A property of an unknown value, or undefined. */
export function propertyOf(value: unknown, key: string): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  return (value as Record<string, unknown>)[key];
}

export function stringProperty(value: unknown, key: string): string | undefined {
  const property = propertyOf(value, key);
  return typeof property === 'string' && property !== '' ? property : undefined;
}

export function numberProperty(value: unknown, key: string): number | undefined {
  const property = propertyOf(value, key);
  return typeof property === 'number' && Number.isFinite(property) ? property : undefined;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}

/**
 * The texts Node (OpenSSL) uses for certificate verification failures, with
 * their codes. Used only when a library has overwritten the code; both the
 * OpenSSL 3 spelling ("self-signed") and the older one are accepted.
 */
const CERTIFICATE_MESSAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^self[- ]signed certificate in certificate chain$/i, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/^self[- ]signed certificate$/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/^unable to verify the first certificate$/i, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/^unable to get local issuer certificate$/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/^unable to get issuer certificate$/i, 'UNABLE_TO_GET_ISSUER_CERT'],
  [/^certificate has expired$/i, 'CERT_HAS_EXPIRED'],
  [/^certificate is not yet valid$/i, 'CERT_NOT_YET_VALID'],
  [/^certificate revoked$/i, 'CERT_REVOKED'],
  [/^certificate not trusted$/i, 'CERT_UNTRUSTED'],
  [/^certificate rejected$/i, 'CERT_REJECTED'],
  [/^invalid CA certificate$/i, 'INVALID_CA'],
  [/^certificate signature failure$/i, 'CERT_SIGNATURE_FAILURE'],
  [/^unsupported certificate purpose$/i, 'INVALID_PURPOSE'],
  [/^Hostname\/IP does not match certificate's altnames/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
];

/** Codes that libraries put in place of Node's own; they say which library step failed, not why. */
const WRAPPER_CODES: ReadonlySet<string> = new Set([
  // nodemailer
  'ESOCKET',
  'ECONNECTION',
  'EDNS',
  'ETLS',
  'EAUTH',
  'EENVELOPE',
  'EMESSAGE',
  'EPROTOCOL',
  'ESTREAM',
  'EMAXLIMIT',
  'ENOAUTH',
  'EOAUTH2',
  'ESENDGRID',
  'ECONFIG',
]);

/**
 * Node's error code for a failure, looking through library wrappers and
 * `cause` chains. Undefined when nothing identifies it.
 */
export function nodeErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || error === null || error === undefined) return undefined;
  const code = stringProperty(error, 'code');
  if (code !== undefined && !WRAPPER_CODES.has(code)) return code;

  const recovered = recoverFromErrno(error) ?? recoverFromMessage(error) ?? recoverFromOpenSsl(error);
  if (recovered !== undefined) return recovered;
  return nodeErrorCode(propertyOf(error, 'cause'), depth + 1);
}

function recoverFromErrno(error: unknown): string | undefined {
  const errno = numberProperty(error, 'errno');
  const syscall = stringProperty(error, 'syscall');
  // DNS failures carry c-ares/libuv EAI_* numbers; Node names them ENOTFOUND
  // etc. in the message, so the message is the better source for those.
  if (errno === undefined || errno >= 0 || syscall === 'getaddrinfo' || syscall === 'queryA')
    return undefined;
  try {
    return getSystemErrorName(errno);
  } catch {
    return undefined;
  }
}

function recoverFromMessage(error: unknown): string | undefined {
  const message = messageOf(error).trim();
  // "connect ECONNREFUSED 127.0.0.1:1", "getaddrinfo ENOTFOUND mail.example", "read ECONNRESET"
  const syscallMatch =
    /^(?:connect|read|write|getaddrinfo|queryA|queryAaaa|lookup|socket) (E[A-Z0-9_]+)\b/.exec(message);
  if (syscallMatch?.[1] !== undefined) return syscallMatch[1];
  for (const [pattern, code] of CERTIFICATE_MESSAGES) if (pattern.test(message)) return code;
  return undefined;
}

/** OpenSSL errors carry `library: 'SSL routines'` and a `reason` such as "wrong version number". */
function recoverFromOpenSsl(error: unknown): string | undefined {
  const reason = stringProperty(error, 'reason');
  if (stringProperty(error, 'library') !== 'SSL routines' || reason === undefined) return undefined;
  return `ERR_SSL_${reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}
