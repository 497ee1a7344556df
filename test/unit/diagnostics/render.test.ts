import { describe, expect, it } from 'vitest';
import { ALERT_CATALOGUE } from '../../../src/diagnostics/alert-catalogue.js';
import {
  AlertRenderError,
  alertFingerprint,
  findEntry,
  getEntry,
  productNames,
  renderAlert,
  renderAlertParts,
  renderAlertWithCode,
  renderTemplate,
  testMessageSubject,
} from '../../../src/diagnostics/render.js';

describe('renderTemplate', () => {
  it('fills every placeholder, numbers included', () => {
    expect(
      renderTemplate('{mailboxName} failed {failureCount} times', {
        mailboxName: 'Support',
        failureCount: 3,
      }),
    ).toBe('Support failed 3 times');
  });

  it('throws on a missing value instead of leaving a placeholder', () => {
    expect(() => renderTemplate('the mailbox {mailboxName}', {})).toThrow(AlertRenderError);
    expect(() => renderAlert(getEntry('A2'), { mailboxName: 'Ann', profileName: 'P' })).toThrow(
      /\{product\}/,
    );
  });

  it('throws on an unknown placeholder', () => {
    expect(() => renderTemplate('the {mailbox}', { mailboxName: 'x' })).toThrow(
      /Unknown placeholder \{mailbox\}/,
    );
  });

  it('inserts values as they are, without re-reading them as placeholders', () => {
    expect(renderTemplate('"{emailSubject}"', { emailSubject: 'Re: {mailboxName} $& $1' })).toBe(
      '"Re: {mailboxName} $& $1"',
    );
  });

  it('renders only the placeholders of the part asked for', () => {
    // A3's message needs only the mailbox name; its details need more.
    expect(renderAlert(getEntry('A3'), { mailboxName: 'Ann' })).toContain('the mailbox Ann because');
    expect(() => renderAlertParts(getEntry('A3'), { mailboxName: 'Ann' })).toThrow(/principalId/);
    const parts = renderAlertParts(getEntry('A3'), {
      mailboxName: 'Ann',
      principalId: 'u-1',
      privilegeName: 'prvReadEmailServerProfile',
    });
    expect(parts).toMatchObject({
      id: 'A3',
      code: 'Crm.80040220.PrivilegeDenied',
      serverErrorCode: 'Crm.80040220.PrivilegeDenied',
      details: 'Principal user (Id=u-1, type=8) is missing prvReadEmailServerProfile privilege',
      level: 'error',
      failure: 'permanent',
      channel: 'act',
    });
  });

  it('appends the server error code line the way the reference displays it', () => {
    expect(renderAlertWithCode(getEntry('A1'), { mailboxName: 'Ann' })).not.toContain(
      'Email Server Error Code',
    );
    expect(renderAlertWithCode(getEntry('C1'), { mailboxName: 'Support', profileName: 'Dovecot' })).toMatch(
      / again later\. Email Server Error Code: Exchange server returned UnknownIncomingEmailIntegrationError -2147209462 exception\.$/,
    );
  });
});

describe('product names', () => {
  it('derives the short name by dropping a leading "Microsoft "', () => {
    expect(productNames('Microsoft Dynamics 365')).toEqual({
      product: 'Microsoft Dynamics 365',
      productShort: 'Dynamics 365',
    });
    expect(productNames('Mailroom')).toEqual({ product: 'Mailroom', productShort: 'Mailroom' });
    expect(productNames('Acme CRM', 'Acme')).toEqual({ product: 'Acme CRM', productShort: 'Acme' });
    expect(productNames('Microsoft')).toEqual({ product: 'Microsoft', productShort: 'Microsoft' });
  });

  it('builds the Test & Enable subject', () => {
    expect(testMessageSubject('Mailroom')).toBe('Your mailbox is now connected to Mailroom');
    expect(testMessageSubject('Microsoft Dynamics 365')).toBe(
      'Your mailbox is now connected to Dynamics 365',
    );
  });
});

describe('findEntry and getEntry', () => {
  it('finds by code, and by code and channel', () => {
    expect(findEntry('InvalidIncomingEmailServerProfile')?.id).toBe('A1');
    expect(findEntry('MailboxDisabled')?.id).toBe('A20');
    expect(findEntry('MailboxDisabled', 'incoming')?.id).toBe('A20-in');
    expect(findEntry('MailboxDisabled', 'act')?.id).toBe('A20-act');
    expect(findEntry('UnknownIncomingEmailIntegrationError -2147209462')?.id).toBe('C1');
    expect(findEntry('UnknownIncomingEmailIntegrationError')?.id).toBe('C8');
    expect(findEntry('NoSuchCode')).toBeUndefined();
    expect(findEntry('MailboxDisabled', 'profile')).toBeUndefined();
  });

  it('prefers the current wording over a legacy one', () => {
    expect(findEntry('InvalidIncomingEmailServerProfileCredentials', 'incoming')?.id).toBe('A26-in');
    expect(findEntry('InvalidOutgoingEmailServerProfileCredentials')?.id).toBe('A26-out');
  });

  it('finds a current entry for every code', () => {
    for (const entry of ALERT_CATALOGUE) {
      const found = findEntry(entry.code, entry.channel);
      expect(found?.code, entry.id).toBe(entry.code);
      expect(found?.legacy ?? false, entry.id).toBe(false);
    }
  });

  it('getEntry throws for an unknown id', () => {
    expect(getEntry('C1').code).toBe('UnknownIncomingEmailIntegrationError -2147209462');
    expect(() => getEntry('Z9')).toThrow(/Z9/);
  });
});

describe('alertFingerprint', () => {
  const base = {
    code: 'UnknownIncomingEmailIntegrationError -2147209462',
    channel: 'incoming' as const,
    mailboxId: '0190a0a0-0000-7000-8000-000000000001',
    emailServerProfileId: '0190a0a0-0000-7000-8000-000000000002',
  };

  it('is stable: a fixed hash for fixed parts, and absent equals null', () => {
    const fingerprint = alertFingerprint(base);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(alertFingerprint({ ...base })).toBe(fingerprint);
    expect(alertFingerprint({ ...base, itemReference: null })).toBe(fingerprint);
    expect(alertFingerprint({ code: 'X' })).toBe(
      alertFingerprint({ code: 'X', channel: null, mailboxId: null }),
    );
    // Pinned so that a change to the hash (which would split open alerts in two) is deliberate.
    expect(alertFingerprint({ code: 'A', mailboxId: 'm' })).toBe(
      'f38fb52a0ae7b6618ed8b2afbe19bdee4d07dafbef4c214d2737b470d4714542',
    );
  });

  it('differs when any part differs', () => {
    const fingerprints = new Set([
      alertFingerprint(base),
      alertFingerprint({ ...base, code: 'UnknownIncomingEmailIntegrationError -2147220192' }),
      alertFingerprint({ ...base, channel: 'outgoing' }),
      alertFingerprint({ ...base, mailboxId: '0190a0a0-0000-7000-8000-000000000003' }),
      alertFingerprint({ ...base, emailServerProfileId: null }),
      alertFingerprint({ ...base, itemReference: 'INBOX:1700000000:42' }),
      alertFingerprint({ ...base, itemReference: 'INBOX:1700000000:43' }),
    ]);
    expect(fingerprints.size).toBe(7);
  });

  it('cannot be confused by separators inside the parts', () => {
    expect(alertFingerprint({ code: 'a|b', mailboxId: 'c' })).not.toBe(
      alertFingerprint({ code: 'a', mailboxId: 'b|c' }),
    );
    expect(alertFingerprint({ code: 'a', mailboxId: 'b' })).not.toBe(
      alertFingerprint({ code: 'a', emailServerProfileId: 'b' }),
    );
  });
});
