import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApplyError } from '../../../src/apply/errors.js';
import { loadDocument, parseText } from '../../../src/apply/load.js';
import { checkNames, countNames, type ExistingNames, type Kind } from '../../../src/apply/plan.js';

function problemsOf(work: () => unknown): readonly string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof ApplyError) return error.problems;
    throw error;
  }
  throw new Error('expected an ApplyError');
}

const load = (text: string, env: Record<string, string> = {}) => loadDocument(text, 'file.yaml', env);

describe('parseText', () => {
  it('chooses the parser by extension, or tries JSON and then YAML', () => {
    expect(parseText('{"users": []}', 'a.json')).toEqual({ users: [] });
    expect(parseText('users: []', 'a.yml')).toEqual({ users: [] });
    expect(parseText('users: []', 'a.conf')).toEqual({ users: [] });
    expect(parseText('{"users": []}', 'a')).toEqual({ users: [] });
  });

  it('keeps YAML dates and yes/no words as text (YAML 1.2)', () => {
    expect(parseText('a: 2024-01-01\nb: yes\nc: on', 'a.yaml')).toEqual({
      a: '2024-01-01',
      b: 'yes',
      c: 'on',
    });
  });

  it('reports syntax errors and duplicate keys', () => {
    expect(problemsOf(() => parseText('{"users": [}', 'a.json'))[0]).toMatch(/^not valid JSON: /);
    expect(problemsOf(() => parseText('users: [\n', 'a.yaml'))[0]).toMatch(/^not valid YAML: /);
    expect(problemsOf(() => parseText('users: []\nusers: []\n', 'a.yaml'))[0]).toMatch(
      /^not valid YAML: .*unique/i,
    );
  });
});

describe('loadDocument', () => {
  it('accepts an empty file as an empty desired state', () => {
    expect(load('')).toEqual({});
  });

  it('reports unknown keys with their path', () => {
    const text = [
      'users:',
      '  - { username: a, name: A }',
      '  - { username: b, name: B }',
      '  - { username: c, name: C, emial: c@example.test }',
      'queus: []',
    ].join('\n');
    expect(problemsOf(() => load(text))).toEqual([
      'users[2].emial: unrecognized key',
      'queus: unrecognized key',
    ]);
  });

  it('reports missing and invalid values with their path', () => {
    const text = [
      'users:',
      '  - { username: a }',
      '  - { username: b, name: B, emailAddress: not-an-address }',
      'emailServerProfiles:',
      '  - { name: P, serverType: exchange, incomingPort: 0 }',
      'roles:',
      '  - { name: R, privileges: { "mailbox:read": everywhere } }',
    ].join('\n');
    expect(problemsOf(() => load(text))).toEqual([
      'roles[0].privileges["mailbox:read"]: Invalid option: expected one of "none"|"user"|"businessUnit"|"parentChild"|"organization"',
      'users[0].name: required',
      'users[1].emailAddress: Invalid email address',
      'emailServerProfiles[0].serverType: Invalid option: expected one of "imap-smtp"|"pop3-smtp"|"caldav-carddav"',
      'emailServerProfiles[0].incomingPort: Too small: expected number to be >=1',
    ]);
  });

  it('rejects privileges the catalogue does not know', () => {
    expect(
      problemsOf(() =>
        load('roles:\n  - { name: R, privileges: { "mailbox:fly": user, "special:sendAsUser": user } }'),
      ),
    ).toEqual([
      'roles[0].privileges["mailbox:fly"]: unknown privilege \'mailbox:fly\' (use entity:right, e.g. mailbox:read, or special:sendAsUser)',
    ]);
  });

  it('takes owners as exactly one of user or team', () => {
    expect(load('queues:\n  - { name: Q, owner: { team: T } }').queues?.[0]?.owner).toEqual({
      type: 'team',
      name: 'T',
    });
    expect(problemsOf(() => load('queues:\n  - { name: Q, owner: { team: T, user: u } }'))).toEqual([
      'queues[0].owner: owner must name exactly one of user, team (e.g. { user: NAME })',
    ]);
    expect(problemsOf(() => load('queues:\n  - { name: Q, owner: { group: G } }'))).toEqual([
      'queues[0].owner.group: unrecognized key',
      'queues[0].owner: owner must name exactly one of user, team (e.g. { user: NAME })',
    ]);
  });

  it('checks the mailbox rules: for or name, what follows the user or queue, forward mailboxes', () => {
    expect(problemsOf(() => load('mailboxes:\n  - { incomingMethod: none }'))[0]).toMatch(
      /^mailboxes\[0\]: a mailbox needs either for/,
    );
    expect(problemsOf(() => load('mailboxes:\n  - { for: { user: a }, name: X }'))[0]).toMatch(
      /^mailboxes\[0\]: a mailbox needs either/,
    );
    expect(
      problemsOf(() => load('mailboxes:\n  - { for: { queue: Q }, emailAddress: q@example.test }')),
    ).toEqual([
      "mailboxes[0].emailAddress: the emailAddress of a queue's mailbox follows the queue; set it there",
    ]);
    expect(
      problemsOf(() =>
        load('mailboxes:\n  - { name: F, isForwardMailbox: true, outgoingMethod: serverSideSync }'),
      ),
    ).toEqual(['mailboxes[0].outgoingMethod: must be none for a forward mailbox']);
  });

  it('interpolates variables before validating, and names the missing ones once', () => {
    const text = 'mailboxes:\n  - { name: F, password: "${PW}", username: "${USER_NAME}" }';
    expect(load(text, { PW: 'secret', USER_NAME: 'f@example.test' }).mailboxes?.[0]).toMatchObject({
      password: 'secret',
      username: 'f@example.test',
    });
    expect(problemsOf(() => load('users:\n  - { username: a, name: A, emailAddress: "${MAIL}" }'))).toEqual([
      'users[0].emailAddress: environment variable MAIL is not set',
    ]);
  });

  it('maps organization settings to the API fields, with the default profile by name', () => {
    const document = load(
      'organization: { productName: Acme Mail, defaultEmailServerProfile: null, trackingTokenDigits: 4 }',
    );
    expect(document.organization).toEqual({
      productName: 'Acme Mail',
      defaultEmailServerProfile: null,
      trackingTokenDigits: 4,
    });
    expect(problemsOf(() => load('organization: { defaultEmailServerProfileId: null }'))).toEqual([
      'organization.defaultEmailServerProfileId: unrecognized key',
    ]);
  });
});

describe('examples/mailroom.yaml', () => {
  const text = readFileSync(new URL('../../../examples/mailroom.yaml', import.meta.url), 'utf8');
  const env = {
    SUPPORT_MAILBOX_PASSWORD: 'a',
    BILLING_MAILBOX_PASSWORD: 'b',
    ALICE_MAILBOX_PASSWORD: 'c',
    FORWARD_MAILBOX_PASSWORD: 'd',
    LEGACY_POP3_PASSWORD: 'e',
  };

  it('is valid, and only needs what a new organization has', () => {
    const document = loadDocument(text, 'mailroom.yaml', env);
    const kinds: Kind[] = ['businessUnit', 'role', 'user', 'team', 'emailServerProfile', 'queue', 'mailbox'];
    const fresh = Object.fromEntries(kinds.map((kind) => [kind, countNames([])])) as Record<
      Kind,
      Map<string, number>
    >;
    fresh.businessUnit = countNames(['Mailroom']);
    fresh.role = countNames(['System Administrator', 'Salesperson', 'Support Queue Owner']);
    fresh.user = countNames(['admin']);
    expect(checkNames(document, fresh as ExistingNames)).toEqual([]);
  });

  it('keeps every credential in the environment', () => {
    expect(problemsOf(() => loadDocument(text, 'mailroom.yaml', {}))).toEqual([
      'emailServerProfiles[1].incomingPassword: environment variable LEGACY_POP3_PASSWORD is not set',
      'mailboxes[0].password: environment variable SUPPORT_MAILBOX_PASSWORD is not set',
      'mailboxes[1].password: environment variable BILLING_MAILBOX_PASSWORD is not set',
      'mailboxes[2].password: environment variable ALICE_MAILBOX_PASSWORD is not set',
      'mailboxes[3].password: environment variable FORWARD_MAILBOX_PASSWORD is not set',
    ]);
  });
});
