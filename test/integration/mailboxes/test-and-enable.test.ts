/**
 * Test & Enable against the real servers, through the API, for the
 * documented situations: exact statuses, alert codes and texts, diagnosis,
 * fix actions, and recovery after the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import {
  createMailUser,
  dovecotProfileBody,
  readTestServers,
  waitForInboxMessage,
  type MailUser,
} from '../../support/mail-users.js';

interface Alert {
  id: string;
  code: string;
  serverErrorCode?: string | null;
  entryId: string;
  level: string;
  channel: string;
  message: string;
  occurrenceCount: number;
  resolvedAt: string | null;
  diagnosis: { summary: string; fix: string } | null;
  fixActions: { kind: string; label: string }[];
}
interface Page<T> {
  items: T[];
}
interface TestResult {
  mailboxId: string;
  completed: boolean;
  incomingStatus: string;
  outgoingStatus: string;
  actStatus: string;
}

describe('Test & Enable', () => {
  let t: TestApp;
  let profileId: string;
  let roles: Record<string, string>;

  async function post<T = Record<string, unknown>>(url: string, body?: unknown): Promise<T> {
    const res = await t.request<T>('POST', url, body === undefined ? {} : { body });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  }

  async function patch<T = Record<string, unknown>>(url: string, body: unknown): Promise<T> {
    const res = await t.request<T>('PATCH', url, { body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  async function testAndEnable(mailboxId: string): Promise<TestResult> {
    const result = await post<TestResult>(`/api/mailboxes/${mailboxId}/test-and-enable?wait=true`);
    expect(result.completed).toBe(true);
    return result;
  }

  async function openAlerts(mailboxId: string): Promise<Alert[]> {
    const res = await t.request<Page<Alert>>('GET', `/api/alerts?mailboxId=${mailboxId}&limit=200`);
    return res.body.items.filter((alert) => alert.resolvedAt === null);
  }

  /** A user with a mail account on the test servers, its mailbox pointed at the shared profile. */
  async function mailUser(
    name: string,
    roleNames: string[],
  ): Promise<{ userId: string; mailboxId: string; account: MailUser }> {
    const account = await createMailUser(name);
    const user = await post<{ id: string; mailboxId: string }>('/api/users', {
      name,
      username: account.email,
      emailAddress: account.email,
    });
    for (const role of roleNames) await post(`/api/users/${user.id}/roles`, { roleId: roles[role] });
    await patch(`/api/mailboxes/${user.mailboxId}`, {
      emailServerProfileId: profileId,
      actMethod: 'serverSideSync',
      allowCredentialsUse: true,
      username: account.username,
      password: account.password,
    });
    return { userId: user.id, mailboxId: user.mailboxId, account };
  }

  beforeAll(async () => {
    t = await createTestApp({ testRunner: true });
    const servers = readTestServers();
    await patch('/api/organization', {
      requireApprovalForUserEmail: false,
      requireApprovalForQueueEmail: false,
    });
    const profile = await post<{ id: string }>('/api/email-server-profiles', {
      ...dovecotProfileBody('Test Dovecot', servers),
      actUrl: servers.dav.httpsUrl,
    });
    profileId = profile.id;
    const list = await t.request<Page<{ id: string; name: string }>>('GET', '/api/roles');
    roles = Object.fromEntries(list.body.items.map((role) => [role.name, role.id]));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('enables every channel of a well-configured user mailbox and sends the test message to it', async () => {
    const { mailboxId, account } = await mailUser('Ready User', ['Salesperson']);
    const result = await testAndEnable(mailboxId);
    expect(result).toMatchObject({
      incomingStatus: 'success',
      outgoingStatus: 'success',
      actStatus: 'success',
    });
    await waitForInboxMessage(account, 'Your mailbox is now connected to Mailroom', 15_000);
    const alerts = await openAlerts(mailboxId);
    expect(alerts.map((alert) => alert.level)).toEqual(['information', 'information', 'information']);
    const mailbox = await t.request<{ incomingEnabled: boolean }>('GET', `/api/mailboxes/${mailboxId}`);
    expect(mailbox.body).toMatchObject({ incomingEnabled: true });
  });

  describe('a user mailbox whose owner lacks the privileges for appointments, contacts and tasks', () => {
    it('fails ACT with UserPrivilegeError and the exact text, then succeeds once the role is fixed', async () => {
      const limited = await post<{ id: string }>('/api/roles', {
        name: 'Email only',
        privileges: Object.fromEntries(
          Object.entries(
            (
              await t.request<{ privileges: Record<string, string> }>(
                'GET',
                `/api/roles/${roles.Salesperson}`,
              )
            ).body.privileges,
          ).filter(([key]) => !['contact:create', 'contact:write', 'contact:delete'].includes(key)),
        ),
      });
      const { userId, mailboxId } = await mailUser('Limited User', []);
      await post(`/api/users/${userId}/roles`, { roleId: limited.id });

      const result = await testAndEnable(mailboxId);
      expect(result).toMatchObject({
        incomingStatus: 'success',
        outgoingStatus: 'success',
        actStatus: 'failure',
      });
      const [alert] = (await openAlerts(mailboxId)).filter((a) => a.level === 'error');
      expect(alert).toMatchObject({
        code: 'UserPrivilegeError',
        channel: 'act',
        message:
          'An internal Mailroom error occurred while synchronizing appointments, contacts, and tasks for the mailbox ' +
          "Limited User. The mailbox didn't synchronize. The owner of the associated email server profile Test Dovecot has been notified.",
      });
      expect(alert?.diagnosis?.summary).toMatch(/prvCreateContact/);

      // The fix the alert offers: assign the Salesperson role; then Test & Enable again.
      const fixIndex = alert!.fixActions.findIndex((action) => action.kind === 'assignRole');
      await post(`/api/alerts/${alert!.id}/fix-actions/${fixIndex}`);
      expect(await testAndEnable(mailboxId)).toMatchObject({ actStatus: 'success' });
      expect((await openAlerts(mailboxId)).filter((a) => a.level === 'error')).toEqual([]);
    });

    it('matches the reference text word for word when the product name is the reference one', async () => {
      await patch('/api/organization', { productName: 'Microsoft Dynamics 365' });
      try {
        const { mailboxId } = await mailUser('Reference User', []);
        await post(`/api/mailboxes/${mailboxId}/test-and-enable?wait=true`);
        const alerts = await openAlerts(mailboxId);
        // No role at all: the more specific documented code.
        expect(alerts.find((a) => a.channel === 'act')).toMatchObject({
          code: 'Crm.80042f09.UserNotAssignedRoles',
          message:
            "Appointments, contacts, and tasks can't be synchronized for the mailbox Reference User because the mailbox user doesn't have sufficient permissions on this mailbox.",
        });
      } finally {
        await patch('/api/organization', { productName: 'Mailroom' });
      }
    });

    it('fails ACT with UserPrivilegeError when the Owner is another user, and the fix gives it back', async () => {
      const { mailboxId } = await mailUser('Owned Elsewhere', ['Salesperson']);
      const other = await post<{ id: string }>('/api/users', {
        name: 'Other Owner',
        username: 'other-owner',
      });
      await post(`/api/users/${other.id}/roles`, { roleId: roles.Salesperson });
      await patch(`/api/mailboxes/${mailboxId}`, { ownerId: other.id, ownerType: 'user' });

      expect(await testAndEnable(mailboxId)).toMatchObject({ actStatus: 'failure' });
      const alert = (await openAlerts(mailboxId)).find((a) => a.channel === 'act' && a.level === 'error');
      expect(alert).toMatchObject({ code: 'UserPrivilegeError' });
      expect(alert?.diagnosis?.summary).toBe(
        'mailbox Owned Elsewhere belongs to user Owned Elsewhere but is owned by user Other Owner',
      );
      const fixIndex = alert!.fixActions.findIndex((action) => action.kind === 'setMailboxOwnerToUser');
      await post(`/api/alerts/${alert!.id}/fix-actions/${fixIndex}`);
      expect(await testAndEnable(mailboxId)).toMatchObject({
        incomingStatus: 'success',
        actStatus: 'success',
      });
    });
  });

  describe('a mailbox without an email server profile, or whose profile is inactive', () => {
    it('fails incoming with InvalidIncomingEmailServerProfile, then succeeds after activating the profile', async () => {
      const { mailboxId } = await mailUser('Profile User', ['Salesperson']);
      await patch(`/api/mailboxes/${mailboxId}`, { emailServerProfileId: null });
      expect(await testAndEnable(mailboxId)).toMatchObject({ incomingStatus: 'failure' });
      const expectedText =
        'Email cannot be received because the mailbox Profile User does not have an email server profile associated with it or the email server profile is inactive.';
      expect((await openAlerts(mailboxId)).find((a) => a.channel === 'incoming')).toMatchObject({
        code: 'InvalidIncomingEmailServerProfile',
        message: expectedText,
      });

      // An inactive profile: the same alert, folded into the open one, with an Activate fix.
      const inactive = await post<{ id: string }>('/api/email-server-profiles', {
        ...dovecotProfileBody('Inactive Dovecot'),
        state: 'inactive',
      });
      await patch(`/api/mailboxes/${mailboxId}`, { emailServerProfileId: inactive.id });
      expect(await testAndEnable(mailboxId)).toMatchObject({ incomingStatus: 'failure' });
      const alert = (await openAlerts(mailboxId)).find((a) => a.channel === 'incoming');
      expect(alert).toMatchObject({
        code: 'InvalidIncomingEmailServerProfile',
        message: expectedText,
        occurrenceCount: 2,
      });
      expect(alert?.fixActions).toEqual([expect.objectContaining({ kind: 'activateProfile' })]);

      // The view of inactive profiles lists it; Activate; Test & Enable again.
      const view = await t.request<Page<{ id: string }>>('GET', '/api/email-server-profiles?state=inactive');
      expect(view.body.items.map((profile) => profile.id)).toContain(inactive.id);
      await post(`/api/email-server-profiles/${inactive.id}/activate`);
      expect(await testAndEnable(mailboxId)).toMatchObject({ incomingStatus: 'success' });
      const resolved = await t.request<Alert>('GET', `/api/alerts/${alert!.id}`);
      expect(resolved.body.resolvedAt).not.toBeNull();
    });
  });

  it('reports a queue owned by a team with no security roles as UnknownIncomingEmailIntegrationError -2147209462', async () => {
    const account = await createMailUser('support');
    const team = await post<{ id: string }>('/api/teams', { name: 'Support Team' });
    const queue = await post<{ id: string; mailboxId: string }>('/api/queues', {
      name: 'Support',
      emailAddress: account.email,
      ownerId: team.id,
      ownerType: 'team',
    });
    await patch(`/api/mailboxes/${queue.mailboxId}`, {
      emailServerProfileId: profileId,
      allowCredentialsUse: true,
      username: account.username,
      password: account.password,
    });
    expect(await testAndEnable(queue.mailboxId)).toMatchObject({
      incomingStatus: 'failure',
      actStatus: 'notRun',
    });
    const alert = (await openAlerts(queue.mailboxId)).find((a) => a.channel === 'incoming');
    expect(alert).toMatchObject({
      code: 'UnknownIncomingEmailIntegrationError -2147209462',
      serverErrorCode: 'Exchange server returned UnknownIncomingEmailIntegrationError -2147209462 exception.',
      message:
        'An unknown error occurred while receiving email through the mailbox Support. The owner of the associated email server profile Test Dovecot has been notified. The system will try to receive email again later.',
    });
    expect(alert?.diagnosis?.summary).toBe(
      'queue Support is owned by team Support Team, which has no security roles',
    );
    // Transient: the channel stays enabled so that processing keeps retrying.
    const mailbox = await t.request<{ incomingEnabled: boolean }>('GET', `/api/mailboxes/${queue.mailboxId}`);
    expect(mailbox.body.incomingEnabled).toBe(true);
  });

  it('lets only holders of the approve privilege approve an address', async () => {
    const { userId, mailboxId } = await mailUser('Self Approver', ['Salesperson']);
    const token = await post<{ token: string }>('/api/tokens', { name: 'self', userId });
    const refused = await t.request('POST', `/api/mailboxes/${mailboxId}/approve`, { token: token.token });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'MR_ERR_FORBIDDEN', details: { privilege: 'prvApproveRejectEmailAddress' } });
    const approved = await t.request<{ approvalStatus: string; approvedBy: string }>(
      'POST',
      `/api/mailboxes/${mailboxId}/approve`,
    );
    expect(approved.body).toMatchObject({ approvalStatus: 'approved', approvedBy: t.organization.adminUserId });
    const rejected = await t.request<{ approvalStatus: string; approvedBy: string | null }>(
      'POST',
      `/api/mailboxes/${mailboxId}/reject`,
    );
    expect(rejected.body).toMatchObject({ approvalStatus: 'rejected', approvedBy: null });
  });

  it('diagnoses without side effects', async () => {
    const { mailboxId } = await mailUser('Diagnosed User', []);
    const before = await openAlerts(mailboxId);
    const report = await t.request<{
      ok: boolean;
      channels: { channel: string; problems: { code: string }[] }[];
    }>('GET', `/api/mailboxes/${mailboxId}/diagnosis`);
    expect(report.body.ok).toBe(false);
    expect(report.body.channels.find((c) => c.channel === 'act')?.problems[0]?.code).toBe(
      'Crm.80042f09.UserNotAssignedRoles',
    );
    expect(await openAlerts(mailboxId)).toEqual(before);
  });

  it('breaks one thing at a time: a closed port, an unapproved address, a disabled user', async () => {
    // A port nothing listens on: connection refused, transient, the channel stays enabled.
    const closed = await mailUser('Closed Port', ['Salesperson']);
    const refusing = await post<{ id: string }>('/api/email-server-profiles', {
      name: 'Closed port',
      serverType: 'imap-smtp',
      incomingHost: '127.0.0.1',
      incomingPort: 1,
      incomingTls: 'none',
      outgoingHost: '127.0.0.1',
      outgoingPort: 1,
      outgoingTls: 'none',
      credentialSource: 'mailbox',
      connectionTimeoutMs: 2000,
    });
    await patch(`/api/mailboxes/${closed.mailboxId}`, {
      emailServerProfileId: refusing.id,
      actMethod: 'none',
    });
    expect(await testAndEnable(closed.mailboxId)).toMatchObject({
      incomingStatus: 'failure',
      outgoingStatus: 'failure',
    });
    const refused = await t.request<Page<Alert>>('GET', `/api/alerts?mailboxId=${closed.mailboxId}`);
    expect(refused.body.items.find((a) => a.channel === 'incoming')).toMatchObject({
      code: 'Web server returned ConnectFailure exception.',
      level: 'error',
    });
    expect(
      (await t.request<{ incomingEnabled: boolean }>('GET', `/api/mailboxes/${closed.mailboxId}`)).body
        .incomingEnabled,
    ).toBe(true);

    // An address that needs approval: every channel fails until it is approved.
    await patch('/api/organization', { requireApprovalForUserEmail: true });
    try {
      const pending = await mailUser('Pending Approval', ['Salesperson']);
      expect(await testAndEnable(pending.mailboxId)).toMatchObject({
        incomingStatus: 'failure',
        outgoingStatus: 'failure',
        actStatus: 'failure',
      });
      expect((await openAlerts(pending.mailboxId)).map((a) => a.code).sort()).toEqual([
        'ActEmailApprovalNeeded',
        'IncomingEmailApprovalNeeded',
        'OutgoingEmailApprovalNeeded',
      ]);
      await post(`/api/mailboxes/${pending.mailboxId}/approve`);
      expect(await testAndEnable(pending.mailboxId)).toMatchObject({
        incomingStatus: 'success',
        actStatus: 'success',
      });
    } finally {
      await patch('/api/organization', { requireApprovalForUserEmail: false });
    }

    // A disabled user: its mailbox is deactivated and reports MailboxDisabled.
    const leaving = await mailUser('Leaving User', ['Salesperson']);
    await patch(`/api/users/${leaving.userId}`, { disabled: true });
    expect(await testAndEnable(leaving.mailboxId)).toMatchObject({ incomingStatus: 'failure' });
    const disabled = (await openAlerts(leaving.mailboxId)).find((a) => a.channel === 'incoming');
    expect(disabled).toMatchObject({
      code: 'MailboxDisabled',
      message:
        'Email cannot be received because the mailbox Leaving User is deactivated or disabled for incoming email.',
    });
    expect(disabled?.fixActions.map((action) => action.kind)).toEqual(['enableUser']);
  });

  it('reports a wrong password with the mailbox-credentials alert and disables the channel', async () => {
    const { mailboxId } = await mailUser('Wrong Password', ['Salesperson']);
    await patch(`/api/mailboxes/${mailboxId}`, { password: 'not-the-password', actMethod: 'none' });
    expect(await testAndEnable(mailboxId)).toMatchObject({
      incomingStatus: 'failure',
      outgoingStatus: 'failure',
    });
    const alerts = await openAlerts(mailboxId);
    expect(alerts.find((a) => a.channel === 'incoming')?.code).toBe('InvalidIncomingMailboxCredentials');
    expect(alerts.find((a) => a.channel === 'outgoing')?.code).toBe('InvalidOutgoingMailboxCredentials');
    const mailbox = await t.request<{ incomingEnabled: boolean; outgoingEnabled: boolean }>(
      'GET',
      `/api/mailboxes/${mailboxId}`,
    );
    expect(mailbox.body).toMatchObject({ incomingEnabled: false, outgoingEnabled: false });
  });
});


describe('email server profile connection test', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ testRunner: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('tests each server with given credentials and records the outcome on the profile', async () => {
    const servers = readTestServers();
    const account = await createMailUser('profile-test');
    const profile = await t.request<{ id: string }>('POST', '/api/email-server-profiles', {
      body: {
        name: 'Probe',
        serverType: 'imap-smtp',
        incomingHost: 'localhost',
        incomingPort: servers.imaps.port,
        incomingTls: 'implicit',
        outgoingHost: 'localhost',
        outgoingPort: servers.submission.port,
        outgoingTls: 'starttls',
      },
    });
    const ok = await t.request<{ results: { workload: string; status: string }[] }>(
      'POST',
      `/api/email-server-profiles/${profile.body.id}/test-connection`,
      { body: { username: account.username, password: account.password } },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.results).toEqual([
      expect.objectContaining({ workload: 'incoming', status: 'success' }),
      expect.objectContaining({ workload: 'outgoing', status: 'success' }),
      expect.objectContaining({ workload: 'act', status: 'skipped' }),
    ]);
    expect((await t.request('GET', `/api/email-server-profiles/${profile.body.id}`)).body).toMatchObject({
      lastTestStatus: 'success',
    });

    const bad = await t.request<{ results: { workload: string; status: string; code?: string }[] }>(
      'POST',
      `/api/email-server-profiles/${profile.body.id}/test-connection`,
      { body: { username: account.username, password: 'wrong' } },
    );
    expect(bad.body.results[0]).toMatchObject({
      status: 'failure',
      code: 'InvalidIncomingMailboxCredentials',
    });
    const alerts = await t.request<{ items: { code: string; emailServerProfileId: string }[] }>(
      'GET',
      `/api/alerts?emailServerProfileId=${profile.body.id}&code=MailroomProfileTestFailed`,
    );
    expect(alerts.body.items.length).toBeGreaterThan(0);
  });
});
