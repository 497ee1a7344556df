import { describe, expect, it } from 'vitest';
import PostalMime from 'postal-mime';
import { classifyFailure } from '../../../src/connectors/classify.js';
import type { ConnectorFailureDetails } from '../../../src/connectors/types.js';
import type { MailboxSnapshot, PreconditionFacts } from '../../../src/mailboxes/preconditions.js';
import { recordPrivilege, specialPrivilege } from '../../../src/security/catalogue.js';
import {
  buildMessage,
  envelopeRecipients,
  newMessageId,
  replyReferences,
  replySubject,
} from '../../../src/sync/outgoing/message.js';
import { acceptedOutcome, failedOutcome } from '../../../src/sync/outgoing/outcome.js';
import { pendingReason, type OutgoingChannelState } from '../../../src/sync/outgoing/pending-reason.js';
import { decideSlot } from '../../../src/sync/outgoing/rate-limit.js';
import { judgeSendAs } from '../../../src/sync/outgoing/send-as.js';
import { chooseSentFolder } from '../../../src/sync/outgoing/sent-folder.js';
import { role, tree, user } from '../security/fixtures.js';

const smtp = (details: Partial<ConnectorFailureDetails>): ConnectorFailureDetails => ({
  protocol: 'smtp',
  stage: 'send',
  host: 'smtp.example.test',
  port: 587,
  ...details,
});
const classify = (details: Partial<ConnectorFailureDetails>) =>
  classifyFailure(smtp(details), { channel: 'outgoing', credentialSource: 'mailbox', during: 'sync' });

describe('send outcome', () => {
  it('is Sent when every recipient was accepted, and lists refused ones otherwise', () => {
    expect(acceptedOutcome({ rejected: [] })).toEqual({ action: 'sent', refused: [] });
    expect(acceptedOutcome({ rejected: ['nobody@example.test'] })).toEqual({
      action: 'sent',
      refused: ['nobody@example.test'],
    });
  });

  it('fails only the email (MR8) on a 5xx for the message or every recipient, with the reply', () => {
    const outcome = failedOutcome(
      classify({
        responseCode: 550,
        serverText: '550 5.1.1 <x@example.test>: User unknown',
        command: 'RCPT TO',
      }),
    );
    expect(outcome).toMatchObject({ action: 'itemFailed', entryId: 'MR8' });
    expect(outcome.action === 'itemFailed' && outcome.reason).toContain('550 5.1.1');
  });

  it('fails the email as too large (MR4-out) on 552', () => {
    expect(
      failedOutcome(classify({ responseCode: 552, serverText: '552 5.3.4 Message too big' })),
    ).toMatchObject({
      action: 'itemFailed',
      entryId: 'MR4-out',
    });
  });

  it('stops the cycle, transient, on 4xx (F4) and connection problems (A15, F5, A16-out)', () => {
    expect(failedOutcome(classify({ responseCode: 451, serverText: '451 4.3.0 try later' }))).toMatchObject({
      action: 'stopCycle',
      entryId: 'F4',
      failure: 'transient',
    });
    expect(failedOutcome(classify({ stage: 'connect', errorCode: 'ECONNREFUSED' }))).toMatchObject({
      action: 'stopCycle',
      entryId: 'A15',
      failure: 'transient',
    });
    expect(failedOutcome(classify({ stage: 'send', errorCode: 'ECONNRESET' }))).toMatchObject({
      action: 'stopCycle',
      entryId: 'F5',
      failure: 'transient',
    });
    expect(failedOutcome(classify({ stage: 'greeting', errorCode: 'ETIMEDOUT' }))).toMatchObject({
      action: 'stopCycle',
      entryId: 'A16-out',
    });
  });

  it('stops the cycle, permanent, when the credentials are refused (535)', () => {
    expect(
      failedOutcome(classify({ stage: 'authenticate', responseCode: 535, serverText: '535 5.7.8 failed' })),
    ).toMatchObject({ action: 'stopCycle', entryId: 'A27-out', failure: 'permanent' });
  });
});

describe('send as another user', () => {
  const sendAs = role('Send as, business unit', [[specialPrivilege('sendAsUser'), 'businessUnit']]);
  const plain = role('Plain', [[recordPrivilege('write', 'activity'), 'user']]);
  const bob = { id: 'bob', name: 'Bob', businessUnitId: 'sales', allowSendAs: true };

  it('needs nothing to send in one’s own name, or as a queue or an address', () => {
    const alice = user('alice', 'sales', [plain]);
    expect(judgeSendAs(alice, { ...bob, id: 'alice' }, tree)).toEqual({
      allowed: true,
      sendingAsOther: false,
    });
    expect(judgeSendAs(alice, null, tree)).toEqual({ allowed: true, sendingAsOther: false });
  });

  it('allows another user with the privilege reaching them and their consent', () => {
    expect(judgeSendAs(user('alice', 'sales', [sendAs]), bob, tree)).toEqual({
      allowed: true,
      sendingAsOther: true,
    });
  });

  it('refuses without the privilege, without consent, or when the depth does not reach the user', () => {
    expect(judgeSendAs(user('alice', 'sales', [plain]), bob, tree)).toMatchObject({
      allowed: false,
      missing: ['privilege'],
      privilegeReason: 'privilegeMissing',
    });
    expect(judgeSendAs(user('alice', 'sales', [sendAs]), { ...bob, allowSendAs: false }, tree)).toMatchObject(
      {
        allowed: false,
        missing: ['consent'],
      },
    );
    expect(
      judgeSendAs(user('alice', 'support', [sendAs]), { ...bob, allowSendAs: false }, tree),
    ).toMatchObject({
      allowed: false,
      missing: ['privilege', 'consent'],
      privilegeReason: 'depthInsufficient',
    });
  });
});

describe('why an email waits', () => {
  const mailbox: MailboxSnapshot = {
    id: 'mb',
    name: 'Alice Example',
    emailAddress: 'alice@example.test',
    state: 'active',
    regardingType: 'user',
    regardingId: 'alice',
    isForwardMailbox: false,
    ownerId: 'alice',
    ownerType: 'user',
    businessUnitId: 'sales',
    incomingMethod: 'serverSideSync',
    outgoingMethod: 'serverSideSync',
    actMethod: 'none',
    approvalStatus: 'approved',
    allowCredentialsUse: true,
    username: 'alice',
    passwordSet: true,
  };
  const everything = role('Everything', [
    [recordPrivilege('read', 'mailbox'), 'organization'],
    [recordPrivilege('write', 'mailbox'), 'organization'],
    [recordPrivilege('read', 'emailServerProfile'), 'organization'],
    [recordPrivilege('read', 'activity'), 'organization'],
    [recordPrivilege('write', 'activity'), 'organization'],
    [recordPrivilege('create', 'activity'), 'organization'],
    [recordPrivilege('read', 'queue'), 'organization'],
    [recordPrivilege('read', 'user'), 'organization'],
    [recordPrivilege('read', 'organization'), 'organization'],
  ]);
  const facts = (overrides: Partial<PreconditionFacts> = {}): PreconditionFacts => ({
    organization: {
      requireApprovalForUserEmail: true,
      requireApprovalForQueueEmail: true,
      autoCreateContacts: false,
    },
    mailbox,
    profile: {
      id: 'p',
      name: 'Dovecot',
      state: 'active',
      serverType: 'imap-smtp',
      credentialSource: 'mailbox',
      incomingHost: 'mail.example.test',
      outgoingHost: 'mail.example.test',
      actUrl: null,
      incomingUsername: null,
      incomingPasswordSet: false,
      outgoingUsername: null,
      outgoingPasswordSet: false,
      useSameSettingsForOutgoing: true,
      ownerId: 'admin',
      businessUnitId: 'root',
    },
    owner: user('alice', 'sales', [everything]),
    regardingUser: { id: 'alice', name: 'Alice', disabled: false },
    queue: null,
    tree,
    suggestedRoles: {},
    testSubject: 'test',
    ...overrides,
  });
  const channel: OutgoingChannelState = {
    outgoingMethod: 'serverSideSync',
    outgoingEnabled: true,
    outgoingStatus: 'success',
    outgoingFailureCount: 0,
    outgoingDueAt: null,
    lastOutgoingErrorCode: null,
  };
  const code = (id: string) => `code-of-${id}`;

  it('says queued for a healthy mailbox', () => {
    expect(pendingReason(facts(), channel, code).code).toBe('queued');
  });

  it('names a missing mailbox, an outgoing method of none, a precondition, no test, a disabled channel, a retry', () => {
    expect(pendingReason(undefined, undefined, code).code).toBe('noSendingMailbox');
    expect(pendingReason(facts(), { ...channel, outgoingMethod: 'none' }, code).code).toBe(
      'outgoingNotConfigured',
    );
    const unapproved = pendingReason(
      facts({ mailbox: { ...mailbox, approvalStatus: 'pendingApproval' } }),
      channel,
      code,
    );
    expect(unapproved).toMatchObject({ code: 'precondition', alertCode: 'code-of-A24-out' });
    expect(unapproved.message).toMatch(/not approved/);
    const inactiveProfile = pendingReason(
      facts({ profile: { ...facts().profile!, state: 'inactive' } }),
      channel,
      code,
    );
    expect(inactiveProfile).toMatchObject({ code: 'precondition', alertCode: 'code-of-MR10' });
    expect(pendingReason(facts(), { ...channel, outgoingStatus: 'notRun' }, code).code).toBe('notTested');
    expect(
      pendingReason(facts(), { ...channel, outgoingEnabled: false, lastOutgoingErrorCode: 'X' }, code),
    ).toMatchObject({ code: 'channelDisabled', alertCode: 'X' });
    expect(
      pendingReason(facts(), { ...channel, outgoingStatus: 'failure', outgoingFailureCount: 2 }, code).code,
    ).toBe('retrying');
  });
});

describe('rate limit window', () => {
  const t0 = new Date('2026-01-01T10:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  it('grants everything without a limit, and starts a window when none is open or it expired', () => {
    expect(decideSlot({ windowStartedAt: t0, count: 999 }, 0, at(1000))).toMatchObject({ granted: true });
    expect(decideSlot({ windowStartedAt: null, count: 0 }, 2, t0)).toEqual({
      granted: true,
      windowStartedAt: t0,
      count: 1,
    });
    expect(decideSlot({ windowStartedAt: t0, count: 2 }, 2, at(60_000))).toEqual({
      granted: true,
      windowStartedAt: at(60_000),
      count: 1,
    });
  });
  it('counts within the window and refuses at the limit until the window ends', () => {
    expect(decideSlot({ windowStartedAt: t0, count: 1 }, 2, at(5000))).toMatchObject({
      granted: true,
      count: 2,
    });
    expect(decideSlot({ windowStartedAt: t0, count: 2 }, 2, at(5000))).toEqual({
      granted: false,
      retryAt: at(60_000),
    });
  });
});

describe('Sent folder', () => {
  it('prefers the folder marked \\Sent, then a folder named Sent', () => {
    expect(
      chooseSentFolder([{ path: 'INBOX' }, { path: 'Sent' }, { path: 'Gesendet', specialUse: '\\Sent' }]),
    ).toBe('Gesendet');
    expect(chooseSentFolder([{ path: 'INBOX' }, { path: 'Sent Items' }])).toBe('Sent Items');
    expect(chooseSentFolder([{ path: 'INBOX' }])).toBeUndefined();
  });
});

describe('the MIME message', () => {
  it('makes Message-IDs in the sender’s domain, and keeps references in order without repeats', () => {
    expect(newMessageId('Alice@Example.TEST', () => 'u-1')).toBe('<u-1@example.test>');
    expect(newMessageId('broken', () => 'u-2')).toBe('<u-2@mailroom.invalid>');
    expect(replyReferences({ messageId: 'c@x', references: ['<a@x>', '<b@x>', '<a@x>'] })).toEqual([
      '<a@x>',
      '<b@x>',
      '<c@x>',
    ]);
    expect(replySubject('Quote')).toBe('RE: Quote');
    expect(replySubject('Re: Quote')).toBe('Re: Quote');
  });

  it('lists each envelope recipient once', () => {
    expect(
      envelopeRecipients({
        to: [{ address: 'a@x.test' }],
        cc: [{ address: 'A@x.test' }, { address: 'b@x.test' }],
        bcc: [{ address: 'c@x.test' }],
      }),
    ).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
  });

  it('encodes non-ASCII names, subject and attachment file names, keeps Bcc only in the Sent copy', async () => {
    const built = await buildMessage({
      messageId: '<m-1@example.test>',
      date: new Date('2026-03-01T12:00:00Z'),
      from: { address: 'alice@example.test', name: 'Zoë Ångström' },
      to: [{ address: 'bob@example.test', name: 'Bob' }],
      cc: [],
      bcc: [{ address: 'boss@example.test' }],
      subject: 'Offre spéciale — 東京 CRM:0001000',
      text: 'Grüße',
      html: '<p>Grüße</p>',
      inReplyTo: 'orig@example.test',
      references: ['<orig@example.test>'],
      attachments: [
        {
          fileName: 'Prüfbericht 2026 – äöü.pdf',
          mimeType: 'application/pdf',
          content: Buffer.from('%PDF-1.4'),
        },
      ],
    });
    const wire = built.raw.toString('latin1');
    expect(built.raw.some((byte) => byte > 0x7f)).toBe(false);
    expect(wire).not.toMatch(/^Bcc:/im);
    expect(built.sentCopy?.toString('latin1')).toMatch(/^Bcc: boss@example.test/im);
    // Without a Sent folder to save it in, no copy is composed; the wire message is the same.
    const wireOnly = await buildMessage(
      {
        messageId: '<m-1@example.test>',
        date: new Date('2026-03-01T12:00:00Z'),
        from: { address: 'alice@example.test' },
        to: [{ address: 'bob@example.test' }],
        cc: [],
        bcc: [{ address: 'boss@example.test' }],
        subject: 'x',
        text: 'y',
      },
      { sentCopy: false },
    );
    expect(wireOnly.sentCopy).toBeUndefined();
    expect(wireOnly.envelope.to).toEqual(['bob@example.test', 'boss@example.test']);
    expect(wireOnly.raw.toString('latin1')).not.toMatch(/^Bcc:/im);
    expect(built.envelope).toEqual({
      from: 'alice@example.test',
      to: ['bob@example.test', 'boss@example.test'],
    });
    const parsed = await PostalMime.parse(built.raw);
    expect(parsed.subject).toBe('Offre spéciale — 東京 CRM:0001000');
    expect(parsed.from).toMatchObject({ name: 'Zoë Ångström', address: 'alice@example.test' });
    expect(parsed.messageId).toBe('<m-1@example.test>');
    expect(parsed.inReplyTo).toBe('<orig@example.test>');
    expect(parsed.text?.trim()).toBe('Grüße');
    expect(parsed.html).toContain('<p>Grüße</p>');
    expect(parsed.attachments[0]?.filename).toBe('Prüfbericht 2026 – äöü.pdf');
  });
});
