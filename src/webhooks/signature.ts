/**
 * Signing webhook requests. The receiver recomputes an HMAC-SHA256 over
 * `${timestamp}.${body}` with the subscription's secret and compares: a match
 * proves the request came from this Mailroom and was not altered, and the
 * timestamp inside the signed text lets the receiver refuse old replays.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'mailroom-signature';
export const TIMESTAMP_HEADER = 'mailroom-timestamp';
export const EVENT_ID_HEADER = 'mailroom-event-id';
export const EVENT_TYPE_HEADER = 'mailroom-event-type';
export const DELIVERY_ID_HEADER = 'mailroom-delivery-id';

/** The signature scheme's version, written before the digest so it can change later. */
const SCHEME = 'v1';

/** A new signing secret: 32 random bytes, recognisable by its prefix in a secret store. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The hex HMAC-SHA256 of `${timestamp}.${body}`, keyed with the secret's text as UTF-8. */
export function signatureDigest(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The value of the signature header: `v1=<hex digest>`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `${SCHEME}=${signatureDigest(secret, timestamp, body)}`;
}

export type VerifyResult = 'valid' | 'mismatch' | 'expired' | 'malformed';

/**
 * What a receiver does, for tests and for applications written in
 * TypeScript: checks the header against the body and the timestamp against
 * the clock (five minutes either way by default).
 */
export function verifySignature(input: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: number;
  toleranceSeconds?: number;
}): VerifyResult {
  const timestamp = Number(input.timestamp);
  if (!input.timestamp || !Number.isInteger(timestamp) || !input.signature) return 'malformed';
  const now = Math.floor((input.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return 'expired';
  const expected = Buffer.from(signatureHeader(input.secret, timestamp, input.body));
  const given = Buffer.from(input.signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'mismatch';
}
