import { describe, expect, it } from 'vitest';
import { privilegeName } from '../../../src/security/catalogue.js';
import {
  SYNC_CHANNELS,
  SYNC_REQUIREMENT_RULES,
  requiredPrivileges,
} from '../../../src/security/sync-requirements.js';
import type { MailboxFacts, SyncRequirement } from '../../../src/security/sync-requirements.js';

const userMailbox: MailboxFacts = {
  owner: { kind: 'user', id: 'alice', businessUnitId: 'sales' },
  emailServerProfile: { ownerId: 'admin', businessUnitId: 'root' },
};

const queueMailbox: MailboxFacts = {
  owner: { kind: 'team', id: 'desk', businessUnitId: 'support' },
  queue: { id: 'q1', ownerId: 'desk', businessUnitId: 'support' },
  emailServerProfile: { ownerId: 'admin', businessUnitId: 'root' },
};

const names = (list: readonly SyncRequirement[]): string[] => list.map((r) => privilegeName(r.privilege));

describe('requiredPrivileges', () => {
  it.each(SYNC_CHANNELS)('%s needs the mailbox, its profile and the organization', (channel) => {
    const list = requiredPrivileges(channel, userMailbox);
    expect(list.slice(0, 4)).toEqual([
      expect.objectContaining({ record: { entity: 'mailbox', ownerId: 'alice', businessUnitId: 'sales' } }),
      expect.objectContaining({ record: { entity: 'mailbox', ownerId: 'alice', businessUnitId: 'sales' } }),
      expect.objectContaining({
        record: { entity: 'emailServerProfile', ownerId: 'admin', businessUnitId: 'root' },
      }),
      expect.objectContaining({ record: { entity: 'organization' } }),
    ]);
    expect(names(list).slice(0, 4)).toEqual([
      'prvReadMailbox',
      'prvWriteMailbox',
      'prvReadEmailServerProfile',
      'prvReadOrganization',
    ]);
  });

  it('incoming for a user mailbox: activities owned by the user, party matching, no queue', () => {
    const list = requiredPrivileges('incoming', userMailbox);
    expect(names(list)).toEqual([
      'prvReadMailbox',
      'prvWriteMailbox',
      'prvReadEmailServerProfile',
      'prvReadOrganization',
      'prvCreateActivity',
      'prvReadActivity',
      'prvWriteActivity',
      'prvAppendActivity',
      'prvAppendToActivity',
      'prvReadUser',
      'prvReadContact',
      'prvReadAccount',
      'prvReadLead',
    ]);
    expect(list.find((r) => privilegeName(r.privilege) === 'prvCreateActivity')?.record).toEqual({
      entity: 'activity',
      ownerId: 'alice',
      businessUnitId: 'sales',
    });
    expect(list.find((r) => privilegeName(r.privilege) === 'prvReadUser')?.record).toEqual({
      entity: 'user',
      ownerId: 'alice',
      businessUnitId: 'sales',
    });
  });

  it('incoming for a queue mailbox adds the queue and queue items; auto-create adds contact creation', () => {
    const list = requiredPrivileges('incoming', { ...queueMailbox, autoCreateContacts: true });
    expect(names(list)).toEqual(
      expect.arrayContaining([
        'prvReadQueue',
        'prvAppendToQueue',
        'prvCreateQueueItem',
        'prvReadQueueItem',
        'prvCreateContact',
      ]),
    );
    expect(list.find((r) => privilegeName(r.privilege) === 'prvAppendToQueue')?.record).toEqual({
      entity: 'queue',
      ownerId: 'desk',
      businessUnitId: 'support',
    });
    // a team owner has no user record of its own: user lookups must reach the users of its unit
    expect(list.find((r) => privilegeName(r.privilege) === 'prvReadUser')?.record).toEqual({
      entity: 'user',
      businessUnitId: 'support',
    });
  });

  it("outgoing: the owner's emails, the queue for a queue mailbox, send-as for other users only", () => {
    expect(names(requiredPrivileges('outgoing', userMailbox)).slice(4)).toEqual([
      'prvReadActivity',
      'prvWriteActivity',
    ]);
    expect(names(requiredPrivileges('outgoing', queueMailbox)).slice(4)).toEqual([
      'prvReadActivity',
      'prvWriteActivity',
      'prvReadQueue',
    ]);
    const sendAs = requiredPrivileges('outgoing', {
      ...userMailbox,
      sendAsUsers: [
        { id: 'alice', businessUnitId: 'sales' },
        { id: 'bob', businessUnitId: 'salesEU' },
      ],
    }).filter((r) => r.privilege.kind === 'special');
    expect(sendAs).toEqual([
      expect.objectContaining({ record: { entity: 'user', ownerId: 'bob', businessUnitId: 'salesEU' } }),
    ]);
    expect(names(sendAs)).toEqual(['prvSendAsUser']);
  });

  it('act: activities and contacts in full, user lookups', () => {
    expect(names(requiredPrivileges('act', userMailbox)).slice(4)).toEqual([
      'prvCreateActivity',
      'prvReadActivity',
      'prvWriteActivity',
      'prvDeleteActivity',
      'prvAppendActivity',
      'prvAppendToActivity',
      'prvCreateContact',
      'prvReadContact',
      'prvWriteContact',
      'prvDeleteContact',
      'prvAppendToContact',
      'prvReadUser',
    ]);
  });

  it('act is not available for queue mailboxes', () => {
    expect(() => requiredPrivileges('act', queueMailbox)).toThrow(/not synchronized for queue mailboxes/);
  });

  it('leaves out the profile when the mailbox has none', () => {
    const list = requiredPrivileges('incoming', { ...userMailbox, emailServerProfile: null });
    expect(names(list)).not.toContain('prvReadEmailServerProfile');
  });

  it('every rule explains itself and targets a record of its own entity', () => {
    for (const channel of SYNC_CHANNELS) {
      for (const rule of SYNC_REQUIREMENT_RULES[channel]) expect(rule.why.length).toBeGreaterThan(10);
      const facts = channel === 'act' ? userMailbox : { ...queueMailbox, autoCreateContacts: true };
      for (const req of requiredPrivileges(channel, facts)) {
        if (req.privilege.kind === 'record') expect(req.record.entity).toBe(req.privilege.entity);
      }
    }
  });
});
