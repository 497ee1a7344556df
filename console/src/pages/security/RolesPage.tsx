/** Settings › Security › Security Roles. */
import { Link, useNavigate } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Role } from '../../api/types';
import { CommandBar } from '../../components/CommandBar';
import { DataGrid, type Column } from '../../components/DataGrid';
import { LoadError, Loading } from '../../components/Notice';
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
  const navigate = useNavigate();
  return (
    <>
      <PageHeader trail={['Settings', 'Security']} title="Security Roles" />
      <CommandBar label="Security role commands">
        <button type="button" onClick={() => void navigate('/security/roles/new')}>
          New
        </button>
        <button type="button" onClick={listing.reload}>
          Refresh
        </button>
      </CommandBar>
      {listing.error && <LoadError error={listing.error} onRetry={listing.reload} />}
      {!listing.data ? (
        <Loading what="security roles" />
      ) : (
        <DataGrid caption="Security roles" columns={COLUMNS} rows={listing.data.items} empty="No roles." />
      )}
    </>
  );
}
