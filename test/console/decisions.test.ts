/**
 * A decision alert answered by clicking, against the real server and Radicale:
 * a contact synced from the address book has the address of an existing one
 * (E2), so it waits; the administrator opens Alerts, reads the question and
 * clicks Yes; the answer stays on the card and the next ACT cycle creates the
 * contact. No on another question leaves its item out.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActFixture, putDuplicateContact, type ActFixture, type ActUser } from '../support/act.js';
import { adminSession, navigate } from './support/console.js';

const DUPLICATE_CODE = 'ExchangeSyncDuplicateRecordsError';

describe('answering a decision alert in the console', () => {
  let act: ActFixture;
  const session = adminSession({
    prepare: async (server) => {
      act = await createActFixture(server.f.t);
    },
    close: () => act?.close(),
  });
  let page: Page;
  beforeAll(() => {
    page = session.page;
  });

  /** A contact on the server with the address of one Mailroom has: its first sync waits for an answer. */
  async function duplicateWaiting(user: ActUser, first: string, address: string): Promise<void> {
    await putDuplicateContact(act, user, { first, email: address, twinEmail: address.toUpperCase() });
    expect((await act.cycle(user.mailboxId)).stats).toMatchObject({ held: 1 });
  }

  async function lastNames(userId: string, first: string): Promise<string[]> {
    const contacts = await act.get<{ items: { firstName: string; lastName: string }[] }>(
      `/api/contacts?ownerId=${userId}&limit=50`,
    );
    return contacts.items.filter((contact) => contact.firstName === first).map((contact) => contact.lastName);
  }

  function card(first: string) {
    return page
      .getByRole('article', { name: `warning alert ${DUPLICATE_CODE}` })
      .filter({ hasText: `"${first} Twin"` });
  }

  it('Yes: the answer stays on the card and the next cycle creates the contact; No leaves it out', async () => {
    const user = await act.userWithActMailbox('Dana Console', ['Salesperson']);
    await duplicateWaiting(user, 'Dora', 'dora.console@example.org');
    await duplicateWaiting(user, 'Nils', 'nils.console@example.org');

    await navigate(page, 'Alerts');
    const dora = card('Dora');
    await dora.getByText('Do you want to continue and create a duplicate record anyway?').waitFor();
    await dora.getByRole('button', { name: 'Yes', exact: true }).click();
    // The confirmation takes the buttons' place; the question is not asked twice.
    await dora.getByRole('status').getByText('Answered Yes').waitFor();
    expect(await dora.getByRole('button', { name: 'Yes', exact: true }).count()).toBe(0);

    const nils = card('Nils');
    await nils.getByRole('button', { name: 'No', exact: true }).click();
    await nils.getByRole('status').getByText('Answered No').waitFor();

    // Answered questions are resolved alerts, and show their answer there.
    await page.getByLabel('Status').selectOption({ label: 'Resolved' });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await card('Dora').getByText('Answered: Yes').waitFor();
    await card('Nils').getByText('Answered: No').waitFor();

    const alerts = await act.get<{ items: { itemReference: string; details: { decision?: string } }[] }>(
      `/api/alerts?mailboxId=${user.mailboxId}&entryId=E2&limit=10`,
    );
    expect(alerts.items.map((alert) => alert.details.decision).sort()).toEqual(['no', 'yes']);

    await act.cycle(user.mailboxId);
    expect((await lastNames(user.userId, 'Dora')).sort()).toEqual(['Original', 'Twin']);
    expect(await lastNames(user.userId, 'Nils')).toEqual(['Original']);
  });
});
