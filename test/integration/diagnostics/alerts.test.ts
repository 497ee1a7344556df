/**
 * Raising, folding, resolving and routing alerts, observed through the API
 * with the tokens of the people who should (or should not) see them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert, resolveAlerts, type OwnedRef } from '../../../src/diagnostics/alerts.js';
import { createTestApp, type TestApp } from '../../support/app.js';

interface Alert {
  id: string;
  code: string;
  message: string;
  occurrenceCount: number;
  resolvedAt: string | null;
  ownerId: string;
  mailboxId: string | null;
}

describe('alerts', () => {
  let t: TestApp;
  let mailbox: OwnedRef;
  let profile: OwnedRef;
  let userToken: string;
  let profileOwnerToken: string;

  async function visibleTo(token: string): Promise<Alert[]> {
    const res = await t.request<{ items: Alert[] }>('GET', '/api/alerts?limit=200', { token });
    expect(res.status).toBe(200);
    return res.body.items;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const roles = await t.request<{ items: { id: string; name: string }[] }>('GET', '/api/roles');
    const salesperson = roles.body.items.find((role) => role.name === 'Salesperson')!.id;
    const newUser = async (username: string) => {
      const user = await t.request<{ id: string; mailboxId: string; businessUnitId: string }>(
        'POST',
        '/api/users',
        {
          body: { name: username, username, emailAddress: `${username}@example.test` },
        },
      );
      await t.request('POST', `/api/users/${user.body.id}/roles`, { body: { roleId: salesperson } });
      const token = await t.request<{ token: string }>('POST', '/api/tokens', {
        body: { name: 't', userId: user.body.id },
      });
      return { ...user.body, token: token.body.token };
    };
    const alice = await newUser('alice');
    const operator = await newUser('operator');
    userToken = alice.token;
    profileOwnerToken = operator.token;
    const created = await t.request<{ id: string; ownerId: string; businessUnitId: string }>(
      'POST',
      '/api/email-server-profiles',
      {
        body: {
          name: 'Shared Profile',
          serverType: 'imap-smtp',
          incomingHost: 'mail.example.test',
          ownerId: operator.id,
        },
      },
    );
    profile = {
      id: created.body.id,
      name: 'Shared Profile',
      ownerId: operator.id,
      ownerType: 'user',
      businessUnitId: created.body.businessUnitId,
    };
    mailbox = {
      id: alice.mailboxId,
      name: 'alice',
      ownerId: alice.id,
      ownerType: 'user',
      businessUnitId: alice.businessUnitId,
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('folds repeats into one open alert, and resolves it when the channel succeeds', async () => {
    const first = await raiseAlert(t.database.db, { entryId: 'A27-in', mailbox, profile });
    const second = await raiseAlert(t.database.db, { entryId: 'A27-in', mailbox, profile });
    expect(second?.id).toBe(first?.id);
    expect(second?.repeated).toBe(true);
    const stored = await t.request<Alert>('GET', `/api/alerts/${first?.id}`);
    expect(stored.body).toMatchObject({
      occurrenceCount: 2,
      resolvedAt: null,
      code: 'InvalidIncomingMailboxCredentials',
    });
    expect(await resolveAlerts(t.database.db, { mailboxId: mailbox.id, channels: ['incoming'] })).toBe(1);
    // A new occurrence after resolution opens a new alert.
    const third = await raiseAlert(t.database.db, { entryId: 'A27-in', mailbox, profile });
    expect(third?.id).not.toBe(first?.id);
    await resolveAlerts(t.database.db, { mailboxId: mailbox.id, channels: ['incoming'] });
  });

  it('shows a mailbox alert to the mailbox owner and to the profile owner', async () => {
    const raised = await raiseAlert(t.database.db, { entryId: 'A28-in', mailbox, profile });
    expect((await visibleTo(userToken)).map((a) => a.id)).toContain(raised?.id);
    expect((await visibleTo(profileOwnerToken)).map((a) => a.id)).toContain(raised?.id);
    expect((await t.request('GET', `/api/alerts/${raised?.id}`, { token: profileOwnerToken })).status).toBe(
      200,
    );
  });

  it('keeps profile-level alerts with the profile owner unless mailbox owners are to be notified', async () => {
    const hidden = await raiseAlert(t.database.db, { entryId: 'A17', mailbox, profile });
    expect((await visibleTo(profileOwnerToken)).map((a) => a.id)).toContain(hidden?.id);
    expect((await visibleTo(userToken)).map((a) => a.id)).not.toContain(hidden?.id);
    expect((await t.request('GET', `/api/alerts/${hidden?.id}`, { token: userToken })).status).toBe(403);
    await resolveAlerts(t.database.db, { mailboxId: mailbox.id, channels: ['incoming'] });

    await t.request('PATCH', '/api/organization', { body: { notifyMailboxOwnerOfProfileAlerts: true } });
    const shown = await raiseAlert(t.database.db, { entryId: 'A17', mailbox, profile });
    expect((await visibleTo(userToken)).map((a) => a.id)).toContain(shown?.id);
    expect((await visibleTo(profileOwnerToken)).map((a) => a.id)).toContain(shown?.id);
    await t.request('PATCH', '/api/organization', { body: { notifyMailboxOwnerOfProfileAlerts: false } });
  });

  it('generates only the levels the organization asks for', async () => {
    await t.request('PATCH', '/api/organization', { body: { generateAlertsForInformation: false } });
    expect(await raiseAlert(t.database.db, { entryId: 'MR23-in', mailbox, profile })).toBeUndefined();
    await t.request('PATCH', '/api/organization', { body: { generateAlertsForInformation: true } });
    expect(await raiseAlert(t.database.db, { entryId: 'MR23-in', mailbox, profile })).toMatchObject({
      message: 'The mailbox alice has been tested and enabled for receiving email.',
    });
  });

  it('uses the product name from the organization settings', async () => {
    await t.request('PATCH', '/api/organization', { body: { productName: 'Microsoft Dynamics 365' } });
    const raised = await raiseAlert(t.database.db, { entryId: 'A2', mailbox, profile });
    expect(raised?.message).toBe(
      "An internal Microsoft Dynamics 365 error occurred while synchronizing appointments, contacts, and tasks for the mailbox alice. The mailbox didn't synchronize. The owner of the associated email server profile Shared Profile has been notified.",
    );
    await t.request('PATCH', '/api/organization', { body: { productName: 'Mailroom' } });
  });
});
