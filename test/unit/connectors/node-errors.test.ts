import { describe, expect, it } from 'vitest';
import { messageOf, nodeErrorCode, propertyOf } from '../../../src/connectors/node-errors.js';

function errorWith(message: string, props: Record<string, unknown>): Error {
  return Object.assign(new Error(message), props);
}

describe('nodeErrorCode', () => {
  it.each<[string, unknown, string | undefined]>([
    [
      'a plain Node code',
      errorWith('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }),
      'ECONNREFUSED',
    ],
    [
      'nodemailer ESOCKET over a refused connection (errno)',
      errorWith('connect ECONNREFUSED 127.0.0.1:1', { code: 'ESOCKET', errno: -111, syscall: 'connect' }),
      'ECONNREFUSED',
    ],
    [
      'nodemailer EDNS over a missing host (message)',
      errorWith('getaddrinfo ENOTFOUND nope.invalid', { code: 'EDNS', errno: -3008, syscall: 'getaddrinfo' }),
      'ENOTFOUND',
    ],
    [
      'nodemailer ESOCKET over an unknown authority (message)',
      errorWith('unable to verify the first certificate', { code: 'ESOCKET' }),
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ],
    [
      'a self-signed certificate',
      errorWith('self-signed certificate', { code: 'ESOCKET' }),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    ],
    [
      'the older spelling',
      errorWith('self signed certificate in certificate chain', { code: 'ESOCKET' }),
      'SELF_SIGNED_CERT_IN_CHAIN',
    ],
    [
      'a host name mismatch',
      errorWith(
        "Hostname/IP does not match certificate's altnames: Host: a. is not in the cert's altnames",
        {},
      ),
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ],
    [
      'an OpenSSL error without its code',
      errorWith('...:wrong version number:...', {
        code: 'ESOCKET',
        library: 'SSL routines',
        reason: 'wrong version number',
      }),
      'ERR_SSL_WRONG_VERSION_NUMBER',
    ],
    ['a reset read', errorWith('read ECONNRESET', { code: 'ECONNECTION' }), 'ECONNRESET'],
    [
      'the cause of a fetch TypeError',
      new TypeError('fetch failed', { cause: errorWith('connect ECONNREFUSED', { code: 'ECONNREFUSED' }) }),
      'ECONNREFUSED',
    ],
    ['nothing to go on', new Error('something'), undefined],
    ['a wrapper code alone', errorWith('Invalid login', { code: 'EAUTH' }), undefined],
    ['not an error', 'a string', undefined],
    ['null', null, undefined],
  ])('%s', (_name, error, code) => {
    expect(nodeErrorCode(error)).toBe(code);
  });
});

describe('helpers', () => {
  it('reads properties of unknown values safely', () => {
    expect(propertyOf({ a: 1 }, 'a')).toBe(1);
    expect(propertyOf(null, 'a')).toBeUndefined();
    expect(propertyOf(5, 'a')).toBeUndefined();
    expect(messageOf(new Error('x'))).toBe('x');
    expect(messageOf('y')).toBe('y');
  });
});
