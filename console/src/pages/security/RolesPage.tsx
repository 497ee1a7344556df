/** Settings › Security › Security Roles. */
import { Link } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Role } from '../../api/types';
import type { Column } from '../../components/DataGrid';
import { ListCommands, ListingGrid } from '../../components/ListingGrid';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';

const COLUMNS: readonly Column<Role>[] = [
  {
    key: 'name',
    header: 'Name',
    render: (r) => <Link to={`/security/roles/${r.id}`}>{r.name}</Link>,
    sortValue: (r) => r.name,
  },
  {
    key: 'unit',
    header: 'Business Unit',
    render: (r) => <RecordLink type="businessUnit" id={r.businessUnitId} />,
  },
  {
    key: 'kind',
    header: 'Kind',
    render: (r) => (r.predefinedKey ? 'Predefined' : 'Custom'),
    sortValue: (r) => (r.predefinedKey ? 0 : 1),
  },
  {
    key: 'privileges',
    header: 'Privileges',
    render: (r) => String(Object.keys(r.privileges).length),
    sortValue: (r) => Object.keys(r.privileges).length,
  },
  { key: 'description', header: 'Description', render: (r) => r.description || '—' },
];

export function RolesPage() {
  const listing = useLoad('roles', () => listAll<Role>('/api/roles'));
  return (
    <>
      <PageHeader trail={['Settings', 'Security']} title="Security Roles" />
      <ListCommands label="Security role commands" newPath="/security/roles/new" onRefresh={listing.reload} />
      <ListingGrid
        listing={listing}
        what="security roles"
        caption="Security roles"
        columns={COLUMNS}
        empty="No roles."
      />
    </>
  );
}
