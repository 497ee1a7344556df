/**
 * The vocabulary of `ConnectorFailureDetails.errorCode`: Node's own codes
 * (grouped by what they mean for an alert) plus the few codes Mailroom's
 * connectors set when no Node code describes what happened. Connectors and the
 * classifier share these groups so that "is this a TLS problem?" has one
 * answer.
 */

/** Codes Mailroom sets itself; Node never produces them. */
export const MAILROOM_CODES = {
  /** the port answered in another protocol (an SMTP greeting on an IMAP port, HTML on a POP3 port) */
  unexpectedGreeting: 'UNEXPECTED_GREETING',
  /** the server greeted with a refusal (IMAP `* BYE`, POP3 `-ERR`) */
  serviceRefused: 'SERVICE_REFUSED',
  /** the server closed the connection without an error from the network stack */
  connectionDropped: 'CONNECTION_DROPPED',
  /** TLS mode STARTTLS, but the server does not offer or refuses STARTTLS */
  starttlsUnavailable: 'STARTTLS_UNAVAILABLE',
  /** a reply the protocol does not allow at that point (not a wrong port: the session had started) */
  protocolError: 'PROTOCOL_ERROR',
} as const;

/** Every kind of timeout (connect, greeting, idle socket, TLS upgrade) is reported as this. */
export const TIMEOUT_CODE = 'ETIMEDOUT';

/** Library-specific timeout codes, normalised to ETIMEDOUT by the connectors; the classifier accepts them too. */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ETIMEOUT', // imapflow: socket inactivity
  'ESOCKETTIMEDOUT',
  'CONNECT_TIMEOUT', // imapflow
  'GREETING_TIMEOUT', // imapflow
  'UPGRADE_TIMEOUT', // imapflow: STARTTLS handshake
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Nothing accepted the connection, or a name server failed temporarily: try again later. */
export const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EAI_AGAIN', // the name server did not answer: temporary
  'EAI_FAIL',
]);

/** The name does not exist in DNS (or, ERR_INVALID_URL, the configured server URL is not one). */
export const HOST_NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'ENOTFOUND',
  'EAI_NONAME',
  'EAI_NODATA',
  'ERR_INVALID_URL',
]);

/** An established connection went away. */
export const DROPPED_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  MAILROOM_CODES.connectionDropped,
]);

/**
 * Certificate verification failures (OpenSSL X509 verify codes as Node
 * reports them, and Node's host name check): the server may be fine, but it
 * cannot be trusted with a password.
 */
export const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TLS failures other than an untrusted certificate: wrong mode or port, no common version or cipher. */
export function isTlsFailureCode(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    (code.startsWith('ERR_TLS_') && !UNTRUSTED_CERTIFICATE_CODES.has(code)) ||
    code === 'EPROTO' ||
    code === MAILROOM_CODES.starttlsUnavailable
  );
}

/** Node's HTTP parser failing on the first bytes means the port does not speak HTTP. */
export function isHttpParseCode(code: string): boolean {
  return code.startsWith('HPE_');
}
