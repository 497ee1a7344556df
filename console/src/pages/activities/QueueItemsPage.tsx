/** Activities › Queue Items: the emails routed to queues, optionally for one queue (?queue=ID). */
import { Link, useSearchParams } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { QueueItem } from '../../api/types';
import type { Column } from '../../components/DataGrid';
import { ListCommands, ListingGrid } from '../../components/ListingGrid';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { Time } from '../../components/Time';
import { useDirectory } from '../../directory/DirectoryContext';

const COLUMNS: readonly Column<QueueItem>[] = [
  {
    key: 'activity',
    header: 'Title',
    render: (i) => <Link to={`/activities/emails/${i.activityId}`}>Email</Link>,
  },
  { key: 'queue', header: 'Queue', render: (i) => <RecordLink type="queue" id={i.queueId} /> },
  { key: 'worker', header: 'Worked By', render: (i) => <RecordLink type="user" id={i.workerId} /> },
  {
    key: 'entered',
    header: 'Entered Queue',
    render: (i) => <Time value={i.enteredAt} />,
    sortValue: (i) => i.enteredAt,
  },
  { key: 'state', header: 'Status', render: (i) => (i.state === 'active' ? 'Active' : 'Inactive') },
];

export function QueueItemsPage() {
  const [params, setParams] = useSearchParams();
  const queueId = params.get('queue') ?? '';
  const { directory } = useDirectory();
  const listing = useLoad(queueId, () =>
    listAll<QueueItem>('/api/queue-items', { queueId: queueId || undefined }, 400),
  );
  return (
    <>
      <PageHeader trail={['Activities']} title="Queue Items" />
      <div className="grid-toolbar">
        <div className="view-picker">
          <label htmlFor="queue-filter">Queue</label>
          <select
            id="queue-filter"
            value={queueId}
            onChange={(e) => setParams(e.target.value ? { queue: e.target.value } : {})}
          >
            <option value="">All queues</option>
            {directory.queues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ListCommands label="Queue item commands" onRefresh={listing.reload} />
      <ListingGrid
        listing={listing}
        what="queue items"
        caption="Queue items"
        columns={COLUMNS}
        empty="No items in this queue."
      />
    </>
  );
}
