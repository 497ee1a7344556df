/** Settings › Security › Teams. */
import { Link } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Team } from '../../api/types';
import { Badge } from '../../components/Badges';
import type { Column } from '../../components/DataGrid';
import { ListCommands, ListingGrid } from '../../components/ListingGrid';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';

const COLUMNS: readonly Column<Team>[] = [
  {
    key: 'name',
    header: 'Team Name',
    render: (t) => <Link to={`/security/teams/${t.id}`}>{t.name}</Link>,
    sortValue: (t) => t.name,
  },
  {
    key: 'type',
    header: 'Team Type',
    render: (t) => (t.teamType === 'owner' ? 'Owner' : 'Access'),
    sortValue: (t) => t.teamType,
  },
  {
    key: 'unit',
    header: 'Business Unit',
    render: (t) => <RecordLink type="businessUnit" id={t.businessUnitId} />,
  },
  { key: 'admin', header: 'Administrator', render: (t) => <RecordLink type="user" id={t.administratorId} /> },
  {
    key: 'members',
    header: 'Members',
    render: (t) => String(t.memberIds.length),
    sortValue: (t) => t.memberIds.length,
  },
  {
    key: 'roles',
    header: 'Security Roles',
    render: (t) => (t.roleIds.length === 0 ? <Badge tone="warn">No roles</Badge> : String(t.roleIds.length)),
    sortValue: (t) => t.roleIds.length,
  },
];

export function TeamsPage() {
  const listing = useLoad('teams', () => listAll<Team>('/api/teams'));
  return (
    <>
      <PageHeader trail={['Settings', 'Security']} title="Teams" />
      <ListCommands label="Team commands" newPath="/security/teams/new" onRefresh={listing.reload} />
      <ListingGrid listing={listing} what="teams" caption="Teams" columns={COLUMNS} empty="No teams yet." />
    </>
  );
}
