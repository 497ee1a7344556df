/** Settings › Security › Users: enabled and disabled users, their roles and mailbox. */
import { Link } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { User } from '../../api/types';
import { Badge } from '../../components/Badges';
import type { Column } from '../../components/DataGrid';
import { ListCommands, ListingGrid } from '../../components/ListingGrid';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { useView, ViewPicker, type ViewOption } from '../../components/ViewPicker';

type UserView = 'enabled' | 'disabled' | 'all';
const VIEWS: readonly ViewOption<UserView>[] = [
  { key: 'enabled', label: 'Enabled Users' },
  { key: 'disabled', label: 'Disabled Users' },
  { key: 'all', label: 'All Users' },
];

const COLUMNS: readonly Column<User>[] = [
  {
    key: 'name',
    header: 'Full Name',
    render: (u) => <Link to={`/security/users/${u.id}`}>{u.name}</Link>,
    sortValue: (u) => u.name,
  },
  { key: 'username', header: 'User Name', render: (u) => u.username, sortValue: (u) => u.username },
  {
    key: 'email',
    header: 'Primary Email',
    render: (u) => u.emailAddress ?? '—',
    sortValue: (u) => u.emailAddress ?? '',
  },
  {
    key: 'unit',
    header: 'Business Unit',
    render: (u) => <RecordLink type="businessUnit" id={u.businessUnitId} />,
  },
  {
    key: 'roles',
    header: 'Security Roles',
    render: (u) => (u.roleIds.length === 0 ? <Badge tone="warn">No roles</Badge> : String(u.roleIds.length)),
    sortValue: (u) => u.roleIds.length,
  },
  { key: 'mailbox', header: 'Mailbox', render: (u) => <RecordLink type="mailbox" id={u.mailboxId} /> },
  {
    key: 'status',
    header: 'Status',
    render: (u) => (u.disabled ? <Badge tone="neutral">Disabled</Badge> : <Badge tone="good">Enabled</Badge>),
  },
];

export function UsersPage() {
  const [view, setView] = useView(VIEWS, 'enabled');
  const listing = useLoad(view, () =>
    listAll<User>('/api/users', view === 'all' ? {} : { disabled: String(view === 'disabled') }),
  );
  return (
    <>
      <PageHeader trail={['Settings', 'Security']} title="Users" />
      <div className="grid-toolbar">
        <ViewPicker id="user-view" views={VIEWS} value={view} onChange={setView} />
      </div>
      <ListCommands label="User commands" newPath="/security/users/new" onRefresh={listing.reload} />
      <ListingGrid
        listing={listing}
        what="users"
        caption="Users"
        columns={COLUMNS}
        empty="No users in this view."
      />
    </>
  );
}
