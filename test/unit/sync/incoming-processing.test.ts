/**
 * The decisions of incoming processing, table-driven: tracking filters and
 * acceptance, correlation order, internal email, auto-created contacts and
 * forward mailboxes.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingEmailFilter, PartyType } from '../../../src/db/schema.js';
import { contactName, shouldCreateContact } from '../../../src/sync/incoming/auto-contact.js';
import {
  conversationAncestors,
  correlate,
  normalizeConversationIndex,
  pickSmartMatch,
  replyTargets,
  subjectKey,
  type CorrelationFinder,
  type CorrelationInput,
  type CorrelationSettings,
  type SmartCandidate,
  type TrackedEmail,
} from '../../../src/sync/incoming/correlation.js';
import { unwrapForward } from '../../../src/sync/incoming/forward.js';
import { decideInternal, isInternalEmail } from '../../../src/sync/incoming/internal-email.js';
import { parseEmail } from '../../../src/sync/incoming/parse.js';
import { prepareBody } from '../../../src/sync/incoming/prepare.js';
import {
  acceptsMessage,
  decideAcceptance,
  type Acceptor,
} from '../../../src/sync/incoming/tracking-filter.js';

describe('tracking filter', () => {
  const rows: [IncomingEmailFilter, boolean, PartyType | null, boolean][] = [
    // filter, correlated, sender, accepted
    ['all', false, null, true],
    ['none', true, 'contact', false],
    ['responsesToTrackedEmail', false, 'contact', false],
    ['responsesToTrackedEmail', true, null, true],
    ['fromLeadsContactsAccounts', false, 'contact', true],
    ['fromLeadsContactsAccounts', false, 'account', true],
    ['fromLeadsContactsAccounts', false, 'lead', true],
    ['fromLeadsContactsAccounts', false, 'user', false],
    ['fromLeadsContactsAccounts', false, null, false],
    ['fromLeadsContactsAccounts', true, null, true],
    ['fromEmailEnabledRecords', false, 'user', true],
    ['fromEmailEnabledRecords', false, 'queue', true],
    ['fromEmailEnabledRecords', false, null, false],
    ['fromEmailEnabledRecords', true, null, true],
  ];
  it.each(rows)('%s, correlated %s, sender %s → %s', (filter, correlated, senderType, accepted) => {
    expect(acceptsMessage(filter, { correlated, senderType })).toBe(accepted);
  });
});

describe('recipient acceptance', () => {
  const user = (id: string, filter: IncomingEmailFilter): Acceptor => ({ type: 'user', id, filter });
  const queue = (id: string, filter: IncomingEmailFilter): Acceptor => ({ type: 'queue', id, filter });
  const base = { correlated: false, senderType: null };

  it('tracks when any recipient accepts, naming the first that does', () => {
    const outcome = decideAcceptance({
      ...base,
      recipients: [user('a', 'responsesToTrackedEmail'), queue('q', 'all')],
      receiving: user('a', 'responsesToTrackedEmail'),
    });
    expect(outcome).toEqual({ accepted: true, acceptedBy: queue('q', 'all') });
  });

  it('asks the receiving user or queue even when the message does not name it (Bcc, lists)', () => {
    expect(decideAcceptance({ ...base, recipients: [], receiving: queue('q', 'all') })).toMatchObject({
      accepted: true,
      acceptedBy: { id: 'q' },
    });
  });

  const rejections: [string, Acceptor[], Acceptor | null, 'D1' | 'D2'][] = [
    ['no user or queue among To/Cc, receiving rejects', [], user('a', 'responsesToTrackedEmail'), 'D1'],
    ['no user or queue among To/Cc, forward mailbox', [], null, 'D1'],
    [
      'recipients exist, none accepts',
      [user('a', 'responsesToTrackedEmail')],
      user('a', 'responsesToTrackedEmail'),
      'D2',
    ],
    ['every filter is none', [user('a', 'none'), queue('q', 'none')], null, 'D2'],
  ];
  it.each(rejections)('%s → %s', (_case, recipients, receiving, entryId) => {
    const outcome = decideAcceptance({ ...base, recipients, receiving });
    expect(outcome).toMatchObject({ accepted: false, entryId });
  });

  it('accepts a correlated reply under "responses to tracked email"', () => {
    expect(
      decideAcceptance({
        correlated: true,
        senderType: null,
        recipients: [user('a', 'responsesToTrackedEmail')],
        receiving: null,
      }),
    ).toMatchObject({ accepted: true });
  });
});

describe('correlation', () => {
  const settings: CorrelationSettings = {
    enabled: true,
    trackingTokenEnabled: true,
    trackingTokenPrefix: 'CRM:',
    trackingTokenDigits: 3,
    smartMatchingEnabled: false,
  };
  const tracked = (id: string): TrackedEmail => ({ id, regardingType: 'account', regardingId: `r-${id}` });
  const root = Buffer.alloc(22, 7).toString('base64');
  const child = Buffer.concat([Buffer.alloc(22, 7), Buffer.alloc(5, 1)]).toString('base64');
  const grandchild = Buffer.concat([Buffer.alloc(22, 7), Buffer.alloc(5, 1), Buffer.alloc(5, 2)]).toString(
    'base64',
  );

  interface World {
    byMessageId?: Record<string, string>;
    byToken?: Record<string, string>;
    byIndex?: Record<string, string>;
    smart?: SmartCandidate[];
  }
  function finder(world: World): CorrelationFinder & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      byMessageIds(ids) {
        calls.push('messageId');
        return Promise.resolve(
          ids.flatMap((messageId) => {
            const id = world.byMessageId?.[messageId];
            return id ? [{ ...tracked(id), messageId }] : [];
          }),
        );
      },
      byTrackingToken(token) {
        calls.push('token');
        const id = world.byToken?.[token];
        return Promise.resolve(id ? tracked(id) : null);
      },
      byConversationIndexes(indexes) {
        calls.push('index');
        return Promise.resolve(
          indexes.flatMap((conversationIndex) => {
            const id = world.byIndex?.[conversationIndex];
            return id ? [{ ...tracked(id), conversationIndex }] : [];
          }),
        );
      },
      smartCandidates() {
        calls.push('smart');
        return Promise.resolve(world.smart ?? []);
      },
    };
  }
  const input = (over: Partial<CorrelationInput>): CorrelationInput => ({
    inReplyTo: null,
    references: [],
    subject: 'Hello',
    conversationIndex: null,
    addresses: ['a@x.test', 'b@y.test'],
    ...over,
  });

  const cases: [string, Partial<CorrelationInput>, World, Partial<CorrelationSettings>, unknown][] = [
    [
      'In-Reply-To wins over everything',
      { inReplyTo: '<p@x>', subject: 'RE: Hello CRM:0001001', conversationIndex: child },
      { byMessageId: { '<p@x>': 'parent' }, byToken: { 'CRM:0001001': 'tok' }, byIndex: { [root]: 'idx' } },
      {},
      {
        method: 'inReplyTo',
        correlatedActivityId: 'parent',
        parentActivityId: 'parent',
        regardingId: 'r-parent',
      },
    ],
    [
      'References when In-Reply-To is unknown, latest reference first',
      { inReplyTo: '<unknown@x>', references: ['<old@x>', '<new@x>'] },
      { byMessageId: { '<old@x>': 'old', '<new@x>': 'new' } },
      {},
      { method: 'inReplyTo', correlatedActivityId: 'new', parentActivityId: 'new' },
    ],
    [
      'tracking token in the subject, no parent',
      { subject: 'RE: Quote CRM:0001042' },
      { byToken: { 'CRM:0001042': 'quote' } },
      {},
      {
        method: 'trackingToken',
        correlatedActivityId: 'quote',
        parentActivityId: null,
        regardingId: 'r-quote',
      },
    ],
    [
      'tracking token ignored when tokens are off',
      { subject: 'RE: Quote CRM:0001042' },
      { byToken: { 'CRM:0001042': 'quote' } },
      { trackingTokenEnabled: false },
      null,
    ],
    [
      'conversation index: the nearest ancestor',
      { conversationIndex: grandchild },
      { byIndex: { [root]: 'root', [child]: 'child' } },
      {},
      { method: 'conversationIndex', correlatedActivityId: 'child', parentActivityId: 'child' },
    ],
    [
      'smart matching only when enabled',
      { subject: 'RE: Budget' },
      {
        smart: [
          { ...tracked('s'), subject: 'Budget', addresses: ['A@x.test', 'b@y.test'], createdAt: new Date() },
        ],
      },
      {},
      null,
    ],
    [
      'smart matching: same subject without prefixes and two common addresses',
      { subject: 'RE: FW: Budget' },
      {
        smart: [
          { ...tracked('s'), subject: 'Budget', addresses: ['A@x.test', 'b@y.test'], createdAt: new Date() },
        ],
      },
      { smartMatchingEnabled: true },
      { method: 'smartMatching', correlatedActivityId: 's', parentActivityId: null },
    ],
    [
      'nothing when correlation is off',
      { inReplyTo: '<p@x>' },
      { byMessageId: { '<p@x>': 'parent' } },
      { enabled: false },
      null,
    ],
  ];
  it.each(cases)('%s', async (_case, over, world, settingsOver, expected) => {
    const result = await correlate(input(over), { ...settings, ...settingsOver }, finder(world));
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatchObject(expected as object);
  });

  it('looks nothing up for a new message without reply headers, token or index', async () => {
    const lookups = finder({});
    expect(await correlate(input({}), settings, lookups)).toBeNull();
    expect(lookups.calls).toEqual([]);
  });

  it('orders reply targets In-Reply-To first, then References from the latest, once each', () => {
    expect(replyTargets('<c>', ['<a>', '<b>', '<c>'])).toEqual(['<c>', '<b>', '<a>']);
    expect(replyTargets(null, [])).toEqual([]);
  });

  it.each([
    ['RE: Budget', 'budget'],
    ['Re: Fwd: AW:  Budget  plan', 'budget plan'],
    ['  FW : Budget', 'budget'],
    ['Budget', 'budget'],
    ['RE:', ''],
  ])('subject key of %j is %j', (subject, key) => {
    expect(subjectKey(subject)).toBe(key);
  });

  it('needs two common addresses and the same subject key for smart matching', () => {
    const candidate = (addresses: string[], subject = 'Budget'): SmartCandidate => ({
      ...tracked('s'),
      subject,
      addresses,
      createdAt: new Date(),
    });
    expect(pickSmartMatch('budget', ['a@x', 'b@x'], [candidate(['a@x'])])).toBeNull();
    expect(pickSmartMatch('budget', ['a@x', 'b@x'], [candidate(['a@x', 'b@x'], 'Budget 2')])).toBeNull();
    expect(pickSmartMatch('budget', ['a@x', 'B@X'], [candidate(['a@x', 'b@x'])])?.id).toBe('s');
  });

  it('reads conversation indexes and their ancestors', () => {
    expect(normalizeConversationIndex(grandchild)).toBe(grandchild);
    expect(normalizeConversationIndex(` ${child.slice(0, 10)}\r\n ${child.slice(10)}`)).toBe(child);
    expect(normalizeConversationIndex('AQID')).toBeNull();
    expect(normalizeConversationIndex('not base64!')).toBeNull();
    expect(normalizeConversationIndex(Buffer.alloc(24).toString('base64'))).toBeNull();
    expect(conversationAncestors(grandchild)).toEqual([grandchild, child, root]);
  });
});

describe('internal email', () => {
  const internalCases: [string, PartyType | null, PartyType[][], boolean][] = [
    ['user to user', 'user', [['user']], true],
    ['user to queue and user', 'user', [['queue'], ['user']], true],
    ['user to a contact', 'user', [['contact']], false],
    ['user to an unresolved address', 'user', [['user'], []], false],
    ['contact to user', 'contact', [['user']], false],
    ['unresolved sender', null, [['user']], false],
    ['no recipients', 'user', [], false],
    ['an address that is both a user and a contact', 'user', [['user', 'contact']], true],
  ];
  it.each(internalCases)('%s → internal %s', (_case, senderType, recipientTypes, internal) => {
    expect(isInternalEmail({ senderType, recipientTypes })).toBe(internal);
  });

  const decisions: [string, Record<string, boolean>, PartyType, 'track' | 'reject'][] = [
    ['ignored', { ignore: true, two: false, queue: false, copy: false }, 'user', 'reject'],
    [
      'ignored, but user to a queue mailbox',
      { ignore: true, two: false, queue: true, copy: false },
      'user',
      'track',
    ],
    [
      'ignored, queue to a queue mailbox',
      { ignore: true, two: false, queue: true, copy: false },
      'queue',
      'reject',
    ],
    [
      "one activity, sender's copy exists",
      { ignore: false, two: false, queue: false, copy: true },
      'user',
      'reject',
    ],
    [
      "one activity, no sender's copy",
      { ignore: false, two: false, queue: false, copy: false },
      'user',
      'track',
    ],
    [
      "two activities, sender's copy exists",
      { ignore: false, two: true, queue: false, copy: true },
      'user',
      'track',
    ],
  ];
  it.each(decisions)('%s → %s', (_case, flags, senderType, action) => {
    const decision = decideInternal(
      {
        senderType,
        recipientTypes: [['user']],
        receivingIsQueue: flags.queue!,
        senderCopyExists: flags.copy!,
      },
      { ignoreInternalEmail: flags.ignore!, trackInternalEmailAsTwoActivities: flags.two! },
    );
    expect(decision.action).toBe(action);
  });

  it('tracks external mail whatever the settings', () => {
    expect(
      decideInternal(
        {
          senderType: 'contact',
          recipientTypes: [['user']],
          receivingIsQueue: false,
          senderCopyExists: true,
        },
        { ignoreInternalEmail: true, trackInternalEmailAsTwoActivities: false },
      ),
    ).toEqual({ action: 'track' });
  });
});

describe('auto-created contacts', () => {
  const facts = { enabled: true, senderResolved: false, senderAddress: 'a@x.test', ownerMayCreate: true };
  it.each([
    [{}, true],
    [{ enabled: false }, false],
    [{ senderResolved: true }, false],
    [{ senderAddress: null }, false],
    [{ ownerMayCreate: false }, false],
  ])('%j → %s', (over, expected) => {
    expect(shouldCreateContact({ ...facts, ...over })).toBe(expected);
  });

  it.each([
    ['Ann Lee', { firstName: 'Ann', lastName: 'Lee', fullName: 'Ann Lee' }],
    ['Mary Ann  van Dyke', { firstName: 'Mary Ann van', lastName: 'Dyke' }],
    ['Lee, Ann', { firstName: 'Ann', lastName: 'Lee', fullName: 'Ann Lee' }],
    ['Prince', { firstName: null, lastName: 'Prince', fullName: 'Prince' }],
    ['', { firstName: null, lastName: 'a@x.test', fullName: 'a@x.test' }],
    ['a@x.test', { firstName: null, lastName: 'a@x.test' }],
  ])('names %j', (name, expected) => {
    expect(contactName({ address: 'a@x.test', name })).toMatchObject(expected);
  });
});

describe('forward mailbox', () => {
  const original = [
    'From: Customer <cust@ext.test>',
    'To: ann@corp.test',
    'Subject: Original question',
    'Message-ID: <orig-1@ext.test>',
    'Date: Mon, 02 Mar 2026 10:00:00 +0000',
    '',
    'Hello',
    '',
  ].join('\r\n');
  const wrapper = (withAttachment: boolean) =>
    Buffer.from(
      [
        'From: Ann <ann@corp.test>',
        'To: forward@corp.test',
        'Subject: FW: Original question',
        'Message-ID: <wrap-1@corp.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'See attached.',
        ...(withAttachment
          ? ['--b1', 'Content-Type: message/rfc822', 'Content-Disposition: inline', '', original]
          : []),
        '--b1--',
        '',
      ].join('\r\n'),
    );
  const summary = { uid: 1, size: 100, receivedAt: null };

  it('unwraps the attached original and processes it as the message', async () => {
    const prepared = await prepareBody(summary, 'INBOX:1:1', wrapper(true), { forwardMailbox: true });
    expect(prepared).toMatchObject({
      kind: 'email',
      dedupeKey: 'msgid:<orig-1@ext.test>',
      email: {
        subject: 'Original question',
        from: { address: 'cust@ext.test' },
        messageId: '<orig-1@ext.test>',
      },
    });
  });

  it('fails a forward without an attached email with InvalidForwardMailItem', async () => {
    const prepared = await prepareBody(summary, 'INBOX:1:1', wrapper(false), { forwardMailbox: true });
    expect(prepared).toMatchObject({
      kind: 'failure',
      entryId: 'C13-forward',
      failure: 'permanent',
      subject: 'FW: Original question',
    });
  });

  it('leaves the same message alone in an ordinary mailbox', async () => {
    const prepared = await prepareBody(summary, 'INBOX:1:1', wrapper(true));
    expect(prepared).toMatchObject({ kind: 'email', email: { subject: 'FW: Original question' } });
  });

  it('picks the first attached message', async () => {
    const parsed = await parseEmail(wrapper(true), { rfc822Attachments: true });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const unwrapped = unwrapForward(parsed.email.attachments);
    expect(unwrapped.ok).toBe(true);
    expect(unwrapForward([])).toMatchObject({ ok: false });
  });

  it('reads the Thread-Index header', async () => {
    const index = Buffer.alloc(27, 3).toString('base64');
    const parsed = await parseEmail(
      Buffer.from(`From: a@x.test\r\nSubject: s\r\nThread-Index: ${index}\r\n\r\nbody`),
    );
    expect(parsed.ok && parsed.email.conversationIndex).toBe(index);
  });
});
