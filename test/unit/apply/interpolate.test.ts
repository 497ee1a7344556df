import { describe, expect, it } from 'vitest';
import { formatPath, interpolate, interpolateString } from '../../../src/apply/interpolate.js';

describe('interpolateString', () => {
  const env = { PASSWORD: 's3cret', EMPTY: '', HOST: 'mail.example.test' };

  it('replaces ${NAME} with the variable, anywhere in the text and more than once', () => {
    expect(interpolateString('${PASSWORD}', env)).toEqual({ value: 's3cret', problems: [] });
    expect(interpolateString('imap://${HOST}:993/${HOST}', env).value).toBe(
      'imap://mail.example.test:993/mail.example.test',
    );
    expect(interpolateString('x${EMPTY}y', env).value).toBe('xy');
  });

  it('leaves text without references alone, including lone dollars', () => {
    expect(interpolateString('pa$$word $HOME {x}', env)).toEqual({
      value: 'pa$$word $HOME {x}',
      problems: [],
    });
  });

  it('reads $${ as a literal ${', () => {
    expect(interpolateString('$${PASSWORD} costs $${', env)).toEqual({
      value: '${PASSWORD} costs ${',
      problems: [],
    });
  });

  it('names a variable that is not set, and where it is used', () => {
    expect(interpolateString('${MISSING}', env, 'users[0].name').problems).toEqual([
      { path: 'users[0].name', message: 'environment variable MISSING is not set' },
    ]);
  });

  it('rejects references that are not a variable name, and unterminated ones', () => {
    expect(interpolateString('${not valid}', env).problems[0]?.message).toMatch(
      /not a valid variable reference/,
    );
    expect(interpolateString('${1ABC}', env).problems[0]?.message).toMatch(/not a valid variable reference/);
    expect(interpolateString('abc ${PASSWORD', env).problems[0]?.message).toMatch(/unterminated/);
  });
});

describe('interpolate', () => {
  it('substitutes in every string of a document, not in keys or other values, without changing the input', () => {
    const document = {
      emailServerProfiles: [
        { name: 'A', incomingPassword: '${P}', incomingPort: 993, tls: true, '${P}': 'key' },
      ],
      note: null,
    };
    const result = interpolate(document, { P: 'pw' });
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual({
      emailServerProfiles: [
        { name: 'A', incomingPassword: 'pw', incomingPort: 993, tls: true, '${P}': 'key' },
      ],
      note: null,
    });
    expect(document.emailServerProfiles[0]?.incomingPassword).toBe('${P}');
  });

  it('reports every missing variable with its path', () => {
    const result = interpolate({ a: ['${X}', { b: '${Y}-${X}' }] }, {});
    expect(result.problems).toEqual([
      { path: 'a[0]', message: 'environment variable X is not set' },
      { path: 'a[1].b', message: 'environment variable Y is not set' },
      { path: 'a[1].b', message: 'environment variable X is not set' },
    ]);
  });
});

describe('formatPath', () => {
  it('writes paths the way people write them', () => {
    expect(formatPath(['users', 2, 'emial'])).toBe('users[2].emial');
    expect(formatPath(['roles', 0, 'privileges', 'mailbox:read'])).toBe(
      'roles[0].privileges["mailbox:read"]',
    );
    expect(formatPath([])).toBe('(document)');
  });
});
