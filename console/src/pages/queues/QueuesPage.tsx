/** Settings › Business Management › Queues: each with its Owner and mailbox. */
import { Link, useNavigate } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Queue } from '../../api/types';
import { CommandBar } from '../../components/CommandBar';
import { DataGrid, type Column } from '../../components/DataGrid';
import { LoadError, Loading } from '../../components/Notice';
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
  const navigate = useNavigate();
  return (
    <>
      <PageHeader trail={['Settings', 'Business Management']} title="Queues" />
      <CommandBar label="Queue commands">
        <button type="button" onClick={() => void navigate('/queues/new')}>
          New
        </button>
        <button type="button" onClick={listing.reload}>
          Refresh
        </button>
      </CommandBar>
      {listing.error && <LoadError error={listing.error} onRetry={listing.reload} />}
      {!listing.data ? (
        <Loading what="queues" />
      ) : (
        <DataGrid caption="Queues" columns={COLUMNS} rows={listing.data.items} empty="No queues yet." />
      )}
    </>
  );
}
