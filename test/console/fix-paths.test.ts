/**
 * The three documented fix paths, performed in Chromium by clicking as an
 * administrator would, against the real server, Dovecot and Radicale:
 * (1) a queue owned by a team without roles: follow Regarding to the queue,
 *     Owner to the team, Manage Roles, assign a role; the next incoming cycle
 *     creates the emails and resolves the alert;
 * (2) a user mailbox whose owner lacks the privileges for appointments,
 *     contacts and tasks: Owner, Manage Roles, Test & Enable, Success;
 * (3) a mailbox without an email server profile: Inactive Email Server
 *     Profiles, Activate, choose it on the mailbox, Test & Enable, Success.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, readTestServers } from '../support/mail-users.js';
import { deliver } from '../support/sync.js';
import { adminSession, navigate, screenshot, type Browser, type ConsoleFixture } from './support/console.js';

const C1_CODE = 'UnknownIncomingEmailIntegrationError -2147209462';

describe('the documented fix paths, by clicking', () => {
  // Appointments, contacts and tasks sync with the test Radicale.
  const session = adminSession({
    prepare: (server) =>
      server.f.patch(`/api/email-server-profiles/${server.f.profileId}`, {
        actUrl: readTestServers().dav.httpsUrl,
      }),
  });
  let fixture: ConsoleFixture;
  let browser: Browser;
  let page: Page;
  beforeAll(() => {
    ({ fixture, browser, page } = session);
  });

  /** Settings › Email Configuration › Mailboxes, the "with errors" view, then the mailbox's form. */
  async function openFailingMailbox(name: string): Promise<void> {
    await navigate(page, 'Mailboxes');
    await page.getByLabel('View').selectOption({ label: 'Mailboxes with Errors' });
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row.getByRole('link', { name, exact: true }).first().click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
  }

  function alertCard(level: string, code: string) {
    return page.getByRole('article', { name: `${level} alert ${code}` });
  }

  it('(1) queue owned by a team without roles: Regarding › Owner › Manage Roles, and the next cycle resolves the alert', async () => {
    const { f } = fixture;
    const account = await createMailUser('support');
    const team = await f.post<{ id: string }>('/api/teams', { name: 'Support Team' });
    const queue = await f.post<{ id: string; mailboxId: string }>('/api/queues', {
      name: 'Support',
      emailAddress: account.email,
      ownerId: team.id,
      ownerType: 'team',
    });
    await f.connect(queue.mailboxId, account);
    expect(await f.testAndEnable(queue.mailboxId)).toMatchObject({ incomingStatus: 'failure' });
    await deliver({
      from: '"Jane Customer" <jane@customer.test>',
      to: account.email,
      subject: 'Printer on fire',
    });

    await openFailingMailbox('Support');
    const alert = alertCard('error', C1_CODE);
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toContain(
      'queue Support is owned by team Support Team, which has no security roles',
    );
    await screenshot(page, 'fix1-queue-mailbox-alert', 'laptop');

    // Regarding → the queue; Owner → the team.
    await page.getByRole('group', { name: 'Regarding' }).getByRole('link', { name: 'Support' }).click();
    await page.getByRole('heading', { name: 'Support', level: 1 }).waitFor();
    expect(page.url()).toContain(`/queues/${queue.id}`);
    await page.getByRole('group', { name: 'Owner' }).getByRole('link', { name: 'Support Team' }).click();
    await page.getByRole('heading', { name: 'Support Team', level: 1 }).waitFor();
    await expect.poll(() => page.getByText('No security roles').isVisible()).toBe(true);

    // Manage Roles → assign a role.
    await page.getByRole('button', { name: 'Manage Roles' }).click();
    const dialog = page.getByRole('dialog', { name: 'Manage Team Roles: Support Team' });
    await dialog.getByLabel('Support Queue Owner').check();
    await screenshot(page, 'fix1-manage-team-roles', 'laptop');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('status').filter({ hasText: '1 assigned' }).waitFor();
    await page
      .getByRole('list', { name: 'Security roles' })
      .getByRole('link', { name: 'Support Queue Owner' })
      .waitFor();
    const teamView = await f.get<{ roleIds: string[] }>(`/api/teams/${team.id}`);
    expect(teamView.roleIds).toEqual([f.roles['Support Queue Owner']]);

    // The next incoming cycle (what a worker runs when the mailbox is due again) now succeeds.
    expect(await f.incoming().runMailbox(queue.mailboxId)).toMatchObject({ outcome: 'success' });

    await page.goBack();
    await page.goBack();
    await page.getByRole('heading', { name: 'Support', level: 1 }).waitFor();
    expect(page.url()).toContain(`/mailboxes/${queue.mailboxId}`);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => alertCard('error', C1_CODE).count()).toBe(0);
    await page.getByLabel(/Show resolved alerts/).check();
    await expect.poll(() => alertCard('error', C1_CODE).textContent()).toContain('Resolved');
    await expect
      .poll(() => page.getByRole('group', { name: 'Incoming Email Status' }).textContent())
      .toContain('Success');
    await screenshot(page, 'fix1-alert-resolved', 'laptop');

    // The email the queue could not receive is there now.
    await navigate(page, 'Emails');
    await page.getByRole('link', { name: 'Printer on fire' }).waitFor();
  });

  it('(2) user mailbox whose owner lacks privileges: Owner › Manage Roles › Test & Enable › Success', async () => {
    const { f } = fixture;
    const salesperson = await f.get<{ privileges: Record<string, string> }>(
      `/api/roles/${f.roles.Salesperson}`,
    );
    const emailOnly = await f.post<{ id: string }>('/api/roles', {
      name: 'Email only',
      privileges: Object.fromEntries(
        Object.entries(salesperson.privileges).filter(
          ([key]) => !['contact:create', 'contact:write', 'contact:delete'].includes(key),
        ),
      ),
    });
    const account = await createMailUser('limited');
    const user = await f.post<{ id: string; mailboxId: string }>('/api/users', {
      name: 'Limited User',
      username: account.email,
      emailAddress: account.email,
    });
    await f.post(`/api/users/${user.id}/roles`, { roleId: emailOnly.id });
    await f.connect(user.mailboxId, account);
    await f.patch(`/api/mailboxes/${user.mailboxId}`, { actMethod: 'serverSideSync' });
    expect(await f.testAndEnable(user.mailboxId)).toMatchObject({ actStatus: 'failure' });

    await openFailingMailbox('Limited User');
    await alertCard('error', 'UserPrivilegeError').waitFor();
    expect(await alertCard('error', 'UserPrivilegeError').textContent()).toContain('prvCreateContact');
    await screenshot(page, 'fix2-user-mailbox-alert', 'laptop');

    // Check the Owner: it is the mailbox's own user; open it and fix its roles.
    await page.getByRole('group', { name: 'Owner' }).getByRole('link', { name: 'Limited User' }).click();
    await page.getByRole('heading', { name: 'Limited User', level: 1 }).waitFor();
    expect(page.url()).toContain(`/security/users/${user.id}`);
    await page.getByRole('button', { name: 'Manage Roles' }).click();
    const dialog = page.getByRole('dialog', { name: 'Manage User Roles: Limited User' });
    await dialog.getByLabel('Salesperson', { exact: true }).check();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page
      .getByRole('list', { name: 'Security roles' })
      .getByRole('link', { name: 'Salesperson' })
      .waitFor();

    await page.goBack();
    await page.getByRole('heading', { name: 'Limited User', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Test & Enable Mailbox' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Appointments, Contacts, and Tasks: Success' })
      .waitFor({ timeout: 45_000 });
    await expect
      .poll(() => page.getByRole('group', { name: 'Appointments, Contacts, and Tasks Status' }).textContent())
      .toContain('Success');
    await expect.poll(() => alertCard('error', 'UserPrivilegeError').count()).toBe(0);
    await screenshot(page, 'fix2-test-and-enable-success', 'laptop');
  });

  it('(3) mailbox without a profile: Inactive Email Server Profiles › Activate › Test & Enable › Success', async () => {
    const { f } = fixture;
    const servers = readTestServers();
    const account = await createMailUser('noprofile');
    const user = await f.post<{ id: string; mailboxId: string }>('/api/users', {
      name: 'Profile User',
      username: account.email,
      emailAddress: account.email,
    });
    await f.post(`/api/users/${user.id}/roles`, { roleId: f.roles.Salesperson });
    await f.connect(user.mailboxId, account);
    await f.patch(`/api/mailboxes/${user.mailboxId}`, { emailServerProfileId: null });
    await f.post('/api/email-server-profiles', {
      name: 'Backup Dovecot',
      serverType: 'imap-smtp',
      incomingHost: 'localhost',
      incomingPort: servers.imaps.port,
      incomingTls: 'implicit',
      outgoingHost: 'localhost',
      outgoingPort: servers.submission.port,
      outgoingTls: 'starttls',
      credentialSource: 'mailbox',
      state: 'inactive',
    });
    expect(await f.testAndEnable(user.mailboxId)).toMatchObject({ incomingStatus: 'failure' });

    await openFailingMailbox('Profile User');
    await alertCard('error', 'InvalidIncomingEmailServerProfile').waitFor();
    await screenshot(page, 'fix3-mailbox-without-profile', 'laptop');

    await navigate(page, 'Email Server Profiles');
    await page.getByLabel('View').selectOption({ label: 'Inactive Email Server Profiles' });
    await page.getByRole('link', { name: 'Backup Dovecot' }).click();
    await page.getByRole('heading', { name: 'Backup Dovecot', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByRole('status').filter({ hasText: 'The profile is activated.' }).waitFor();
    await expect.poll(() => page.getByRole('group', { name: 'Status' }).textContent()).toContain('Active');

    await navigate(page, 'Mailboxes');
    await page.getByLabel('View').selectOption({ label: 'Mailboxes with Errors' });
    await page.getByRole('link', { name: 'Profile User', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Profile User', level: 1 }).waitFor();
    await page.getByLabel('Server Profile').selectOption({ label: 'Backup Dovecot' });
    await page.getByRole('button', { name: 'Test & Enable Mailbox' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Incoming Email: Success' })
      .waitFor({ timeout: 45_000 });
    await expect
      .poll(() => page.getByRole('group', { name: 'Incoming Email Status' }).textContent())
      .toContain('Success');
    await expect.poll(() => alertCard('error', 'InvalidIncomingEmailServerProfile').count()).toBe(0);
    await screenshot(page, 'fix3-test-and-enable-success', 'laptop');

    const mailbox = await f.get<{ emailServerProfileId: string; incomingStatus: string }>(
      `/api/mailboxes/${user.mailboxId}`,
    );
    expect(mailbox.incomingStatus).toBe('success');
    expect(browser.errors).toEqual([]);
  });
});
