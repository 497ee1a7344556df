/**
 * Every page of the console, as a new administrator opens it, at laptop and
 * phone size: it loads from a deep link, shows its heading and content, does
 * not scroll sideways on a phone, logs no error, and is photographed to
 * test-results/console/ for review. The security role grid is then used with
 * the keyboard alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser } from '../support/mail-users.js';
import {
  launchBrowser,
  screenshot,
  signIn,
  SIZES,
  startConsole,
  type Browser,
  type ConsoleFixture,
  type SizeName,
} from './support/console.js';

interface Seeded {
  userId: string;
  userMailboxId: string;
  teamId: string;
  queueId: string;
  queueMailboxId: string;
  roleId: string;
  emailId: string;
}

/** An organization with something on every page: users, a team-owned queue with an alert, an email, a queue item. */
async function seed(fixture: ConsoleFixture): Promise<Seeded> {
  const { f } = fixture;
  const dana = await f.userWithMailbox('Dana Agent', ['Salesperson']);
  const account = await createMailUser('helpdesk');
  const team = await f.post<{ id: string }>('/api/teams', { name: 'Helpdesk Team' });
  await f.post(`/api/teams/${team.id}/members`, { userId: dana.userId });
  const queue = await f.post<{ id: string; mailboxId: string }>('/api/queues', {
    name: 'Helpdesk',
    emailAddress: account.email,
    ownerId: team.id,
    ownerType: 'team',
  });
  await f.connect(queue.mailboxId, account);
  await f.testAndEnable(queue.mailboxId);
  await f.post('/api/email-server-profiles', {
    name: 'Old Exchange Gateway',
    serverType: 'pop3-smtp',
    incomingHost: 'pop.example.test',
    outgoingHost: 'smtp.example.test',
    state: 'inactive',
  });
  const role = await f.post<{ id: string }>('/api/roles', {
    name: 'Mailbox Auditor',
    description: 'Reads mailboxes and their alerts',
    privileges: { 'mailbox:read': 'user', 'alert:read': 'organization' },
  });
  const contact = await f.post<{ id: string }>('/api/contacts', {
    firstName: 'Jane',
    lastName: 'Customer',
    emailAddress1: 'jane@customer.test',
  });
  const email = await f.post<{ id: string }>('/api/emails', {
    subject: 'Where is my order?',
    direction: 'incoming',
    status: 'received',
    bodyHtml: '<p>Hello, my order <b>#4711</b> has not arrived yet.</p>',
    from: [{ address: 'jane@customer.test', partyType: 'contact', partyId: contact.id }],
    to: [{ address: account.email, partyType: 'queue', partyId: queue.id }],
    regardingType: 'contact',
    regardingId: contact.id,
  });
  await f.post('/api/queue-items', { queueId: queue.id, activityId: email.id });
  return {
    userId: dana.userId,
    userMailboxId: dana.mailboxId,
    teamId: team.id,
    queueId: queue.id,
    queueMailboxId: queue.mailboxId,
    roleId: role.id,
    emailId: email.id,
  };
}

describe('every page, at laptop and phone size', () => {
  let fixture: ConsoleFixture;
  let browser: Browser;
  let seeded: Seeded;

  beforeAll(async () => {
    [fixture, browser] = await Promise.all([startConsole(), launchBrowser()]);
    seeded = await seed(fixture);
  });
  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  /** [screenshot name, path, heading, a text the page must show] */
  const pages = (): [string, string, string, string][] => [
    ['dashboard', '/', 'Dashboard', 'Mailboxes by status'],
    ['mailboxes', '/mailboxes?view=all', 'Mailboxes', 'Helpdesk'],
    ['mailboxes-with-errors', '/mailboxes?view=errors', 'Mailboxes', 'Helpdesk'],
    [
      'mailbox-form',
      `/mailboxes/${seeded.queueMailboxId}`,
      'Helpdesk',
      'UnknownIncomingEmailIntegrationError',
    ],
    ['mailbox-form-user', `/mailboxes/${seeded.userMailboxId}`, 'Dana Agent', 'Configuration Test Results'],
    ['email-server-profiles', '/email-server-profiles', 'Email Server Profiles', 'Test Dovecot'],
    [
      'email-server-profiles-inactive',
      '/email-server-profiles?view=inactive',
      'Email Server Profiles',
      'Old Exchange Gateway',
    ],
    [
      'email-server-profile-form',
      `/email-server-profiles/${fixture.f.profileId}`,
      'Test Dovecot',
      'Mailboxes Using This Profile',
    ],
    ['email-settings', '/settings/email', 'Email Configuration Settings', 'Use tracking token'],
    ['alerts', '/alerts', 'Alerts', 'UnknownIncomingEmailIntegrationError'],
    ['users', '/security/users', 'Users', 'Dana Agent'],
    ['user-form', `/security/users/${seeded.userId}`, 'Dana Agent', 'Console Password'],
    ['teams', '/security/teams', 'Teams', 'Helpdesk Team'],
    ['team-form', `/security/teams/${seeded.teamId}`, 'Helpdesk Team', 'Owned Queues and Mailboxes'],
    ['security-roles', '/security/roles', 'Security Roles', 'Mailbox Auditor'],
    ['security-role-form', `/security/roles/${seeded.roleId}`, 'Mailbox Auditor', 'Miscellaneous Privileges'],
    ['queues', '/queues', 'Queues', 'Helpdesk'],
    ['queue-form', `/queues/${seeded.queueId}`, 'Helpdesk', 'Convert Incoming Email to Activities'],
    ['emails', '/activities/emails', 'Emails', 'Where is my order?'],
    ['email', `/activities/emails/${seeded.emailId}`, 'Where is my order?', 'jane@customer.test'],
    ['queue-items', '/activities/queue-items', 'Queue Items', 'Helpdesk'],
    ['my-account', '/account', 'My Account', 'API Tokens'],
  ];

  for (const size of Object.keys(SIZES) as SizeName[]) {
    it(`opens every page at ${size} size`, async () => {
      const page = await browser.newPage(size);
      await signIn(page, fixture);
      for (const [name, path, heading, text] of pages()) {
        await page.goto(`${fixture.baseUrl}${path}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.getByText(text).filter({ visible: true }).first().waitFor();
        if (name === 'dashboard') await page.locator('.recharts-surface').first().waitFor();
        await screenshot(page, name, size);
        const overflow = Number(
          await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
        );
        expect(overflow, `${name} scrolls sideways at ${size} size`).toBeLessThanOrEqual(0);
      }
      if (size === 'phone') {
        // On a phone the site map sits behind the Menu button.
        await page.getByRole('button', { name: 'Menu' }).click();
        await page
          .getByRole('navigation', { name: 'Site map' })
          .getByRole('link', { name: 'Mailboxes' })
          .waitFor();
        await screenshot(page, 'site-map-menu', size);
      }
      expect(browser.errors).toEqual([]);
      await page.close();
    });
  }

  it('runs Test & Enable on several selected mailboxes with progress', async () => {
    const page = await browser.newPage('laptop');
    await signIn(page, fixture);
    await page.goto(`${fixture.baseUrl}/mailboxes?view=all`);
    await page.getByRole('checkbox', { name: 'Select Helpdesk' }).check();
    await page.getByRole('checkbox', { name: 'Select Dana Agent' }).check();
    await page.getByRole('button', { name: 'Test & Enable Mailboxes' }).click();
    await page.getByRole('progressbar', { name: 'Testing mailboxes' }).waitFor();
    await screenshot(page, 'mailboxes-bulk-test-progress', 'laptop');
    await page
      .getByRole('status')
      .filter({ hasText: 'Test & Enable finished for 2 of 2 mailboxes' })
      .waitFor({ timeout: 45_000 });
    const mailbox = await fixture.f.get<{ testScheduled: boolean; testCompletedAt: string | null }>(
      `/api/mailboxes/${seeded.userMailboxId}`,
    );
    expect(mailbox).toMatchObject({ testScheduled: false, testCompletedAt: expect.any(String) });
    await page.close();
  });

  it('changes a privilege depth with the keyboard alone, as the role grid cycles it', async () => {
    const page = await browser.newPage('laptop');
    await signIn(page, fixture);
    await page.goto(`${fixture.baseUrl}/security/roles/${seeded.roleId}`);
    const cell = page.getByRole('button', { name: /^Read Mailbox: / });
    expect(await cell.getAttribute('aria-label')).toBe('Read Mailbox: User');
    await cell.focus();
    await page.keyboard.press('Enter');
    expect(await cell.getAttribute('aria-label')).toBe('Read Mailbox: Business Unit');
    await page.keyboard.press('Space');
    expect(await cell.getAttribute('aria-label')).toBe('Read Mailbox: Parent: Child Business Units');
    const write = page.getByRole('button', { name: /^Write Mailbox: / });
    await write.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: '2 privileges changed' }).waitFor();
    const role = await fixture.f.get<{ privileges: Record<string, string> }>(`/api/roles/${seeded.roleId}`);
    expect(role.privileges).toMatchObject({ 'mailbox:read': 'parentChild', 'mailbox:write': 'user' });
    await page.close();
  });
});
