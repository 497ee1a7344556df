/** Settings › Business Management › Queues: each with its Owner and mailbox. */
import { Link } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Queue } from '../../api/types';
import type { Column } from '../../components/DataGrid';
import { ListCommands, ListingGrid } from '../../components/ListingGrid';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { INCOMING_EMAIL_FILTER } from '../../labels';

const COLUMNS: readonly Column<Queue>[] = [
  {
    key: 'name',
    header: 'Name',
    render: (q) => <Link to={`/queues/${q.id}`}>{q.name}</Link>,
    sortValue: (q) => q.name,
  },
  {
    key: 'email',
    header: 'Incoming Email',
    render: (q) => q.emailAddress ?? '—',
    sortValue: (q) => q.emailAddress ?? '',
  },
  { key: 'owner', header: 'Owner', render: (q) => <RecordLink type={q.ownerType} id={q.ownerId} /> },
  { key: 'mailbox', header: 'Mailbox', render: (q) => <RecordLink type="mailbox" id={q.mailboxId} /> },
  {
    key: 'filter',
    header: 'Convert Incoming Email to Activities',
    render: (q) => INCOMING_EMAIL_FILTER[q.incomingEmailFilter],
  },
  { key: 'type', header: 'Type', render: (q) => (q.queueViewType === 'public' ? 'Public' : 'Private') },
];

export function QueuesPage() {
  const listing = useLoad('queues', () => listAll<Queue>('/api/queues'));
  return (
    <>
      <PageHeader trail={['Settings', 'Business Management']} title="Queues" />
      <ListCommands label="Queue commands" newPath="/queues/new" onRefresh={listing.reload} />
      <ListingGrid
        listing={listing}
        what="queues"
        caption="Queues"
        columns={COLUMNS}
        empty="No queues yet."
      />
    </>
  );
}
