/**
 * The system views of the Mailboxes grid. The API filters by equality, so a
 * view that is an "or" (any channel failed) asks once per channel and merges.
 */
import { listAll, type Listing, type Query } from '../../api/client';
import type { Mailbox } from '../../api/types';
import type { ViewOption } from '../../components/ViewPicker';

export type MailboxView = 'active' | 'inactive' | 'errors' | 'pendingApproval' | 'notTested' | 'all';

export const MAILBOX_VIEWS: readonly ViewOption<MailboxView>[] = [
  { key: 'active', label: 'Active Mailboxes' },
  { key: 'inactive', label: 'Inactive Mailboxes' },
  { key: 'errors', label: 'Mailboxes with Errors' },
  { key: 'pendingApproval', label: 'Mailboxes Pending Approval' },
  { key: 'notTested', label: 'Mailboxes Not Tested' },
  { key: 'all', label: 'All Mailboxes' },
];

const FILTERS: Readonly<Record<Exclude<MailboxView, 'errors'>, Query>> = {
  active: { state: 'active' },
  inactive: { state: 'inactive' },
  pendingApproval: { approvalStatus: 'pendingApproval' },
  notTested: { incomingStatus: 'notRun', outgoingStatus: 'notRun', actStatus: 'notRun' },
  all: {},
};

export async function loadMailboxView(view: MailboxView, search: string): Promise<Listing<Mailbox>> {
  const q = search.trim() || undefined;
  if (view !== 'errors') return listAll<Mailbox>('/api/mailboxes', { ...FILTERS[view], q });
  const lists = await Promise.all(
    (['incomingStatus', 'outgoingStatus', 'actStatus'] as const).map((field) =>
      listAll<Mailbox>('/api/mailboxes', { [field]: 'failure', q }),
    ),
  );
  const byId = new Map<string, Mailbox>();
  for (const list of lists) for (const mailbox of list.items) byId.set(mailbox.id, mailbox);
  return { items: [...byId.values()], truncated: lists.some((list) => list.truncated) };
}
