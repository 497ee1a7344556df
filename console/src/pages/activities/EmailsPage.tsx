/** Activities › Emails: received and sent email activities, with how each was correlated. */
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Email } from '../../api/types';
import type { Column } from '../../components/DataGrid';
import { ListCommands, ListingGrid } from '../../components/ListingGrid';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { SearchBox } from '../../components/SearchBox';
import { Time } from '../../components/Time';
import { useView, ViewPicker, type ViewOption } from '../../components/ViewPicker';
import { partySummary } from './Parties';

type EmailView = 'received' | 'sent' | 'all';
const VIEWS: readonly ViewOption<EmailView>[] = [
  { key: 'received', label: 'Received Emails' },
  { key: 'sent', label: 'Sent Emails' },
  { key: 'all', label: 'All Emails' },
];

const COLUMNS: readonly Column<Email>[] = [
  {
    key: 'subject',
    header: 'Subject',
    render: (e) => <Link to={`/activities/emails/${e.id}`}>{e.subject || '(no subject)'}</Link>,
    sortValue: (e) => e.subject,
  },
  {
    key: 'from',
    header: 'From',
    render: (e) => partySummary(e.from),
    sortValue: (e) => partySummary(e.from),
  },
  { key: 'to', header: 'To', render: (e) => partySummary(e.to) },
  {
    key: 'regarding',
    header: 'Regarding',
    render: (e) => (e.regardingType ? <RecordLink type={e.regardingType} id={e.regardingId} /> : '—'),
  },
  { key: 'status', header: 'Status', render: (e) => e.status, sortValue: (e) => e.status },
  { key: 'correlation', header: 'Correlation', render: (e) => e.correlationMethod ?? '—' },
  {
    key: 'created',
    header: 'Created On',
    render: (e) => <Time value={e.createdAt} />,
    sortValue: (e) => e.createdAt,
  },
];

export function EmailsPage() {
  const [view, setView] = useView(VIEWS, 'received');
  const [search, setSearch] = useState('');
  const onSearch = useCallback((text: string) => setSearch(text), []);
  const listing = useLoad(`${view}|${search}`, () =>
    listAll<Email>(
      '/api/emails',
      {
        direction: view === 'received' ? 'incoming' : view === 'sent' ? 'outgoing' : undefined,
        q: search.trim() || undefined,
      },
      400,
    ),
  );
  return (
    <>
      <PageHeader trail={['Activities']} title="Emails" />
      <div className="grid-toolbar">
        <ViewPicker id="email-view" views={VIEWS} value={view} onChange={setView} />
        <SearchBox label="Search emails" onSearch={onSearch} />
      </div>
      <ListCommands label="Email commands" onRefresh={listing.reload} />
      <ListingGrid
        listing={listing}
        what="emails"
        caption={VIEWS.find((v) => v.key === view)?.label ?? 'Emails'}
        columns={COLUMNS}
        empty="No emails in this view."
      />
    </>
  );
}
