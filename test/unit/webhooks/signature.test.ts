import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signatureHeader, verifySignature } from '../../../src/webhooks/signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"e1","type":"email.received"}';
  const timestamp = 1_740_000_000;
  const now = timestamp * 1000 + 30_000;

  it('is v1= and the hex HMAC-SHA256 of "timestamp.body" keyed with the secret', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    expect(signatureHeader(secret, timestamp, body)).toBe(`v1=${expected}`);
  });

  it('verifies what it signed, and nothing altered', () => {
    const signature = signatureHeader(secret, timestamp, body);
    expect(verifySignature({ secret, body, timestamp: String(timestamp), signature, now })).toBe('valid');
    expect(
      verifySignature({
        secret,
        body: body.replace('e1', 'e2'),
        timestamp: String(timestamp),
        signature,
        now,
      }),
    ).toBe('mismatch');
    expect(
      verifySignature({ secret: 'whsec_other', body, timestamp: String(timestamp), signature, now }),
    ).toBe('mismatch');
    // The timestamp is part of what is signed: moving it breaks the signature.
    expect(verifySignature({ secret, body, timestamp: String(timestamp + 1), signature, now })).toBe(
      'mismatch',
    );
  });

  it('refuses old or malformed requests', () => {
    const signature = signatureHeader(secret, timestamp, body);
    expect(
      verifySignature({ secret, body, timestamp: String(timestamp), signature, now: now + 10 * 60_000 }),
    ).toBe('expired');
    expect(verifySignature({ secret, body, timestamp: undefined, signature, now })).toBe('malformed');
    expect(verifySignature({ secret, body, timestamp: 'yesterday', signature, now })).toBe('malformed');
    expect(verifySignature({ secret, body, timestamp: String(timestamp), signature: undefined, now })).toBe(
      'malformed',
    );
  });

  it('generates distinct secrets with 256 bits of randomness', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});
