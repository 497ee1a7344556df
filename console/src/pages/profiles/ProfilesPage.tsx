/**
 * Settings › Email Configuration › Email Server Profiles, with the Active and
 * Inactive views and Activate / Deactivate on the selected profiles.
 */
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, listAll } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { EmailServerProfile } from '../../api/types';
import { StateBadge } from '../../components/Badges';
import { CommandBar } from '../../components/CommandBar';
import { DataGrid, type Column } from '../../components/DataGrid';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { Time } from '../../components/Time';
import { Truncated } from '../../components/Truncated';
import { useView, ViewPicker, type ViewOption } from '../../components/ViewPicker';
import { useDirectory } from '../../directory/DirectoryContext';
import { SERVER_TYPE } from '../../labels';

type ProfileView = 'active' | 'inactive' | 'all';
const VIEWS: readonly ViewOption<ProfileView>[] = [
  { key: 'active', label: 'Active Email Server Profiles' },
  { key: 'inactive', label: 'Inactive Email Server Profiles' },
  { key: 'all', label: 'All Email Server Profiles' },
];

function server(host: string | null, port: number | null): string {
  return host ? `${host}${port ? `:${port}` : ''}` : '—';
}

const COLUMNS: readonly Column<EmailServerProfile>[] = [
  {
    key: 'name',
    header: 'Name',
    render: (p) => <Link to={`/email-server-profiles/${p.id}`}>{p.name}</Link>,
    sortValue: (p) => p.name,
  },
  {
    key: 'type',
    header: 'Server Type',
    render: (p) => SERVER_TYPE[p.serverType],
    sortValue: (p) => p.serverType,
  },
  { key: 'incoming', header: 'Incoming Server', render: (p) => server(p.incomingHost, p.incomingPort) },
  { key: 'outgoing', header: 'Outgoing Server', render: (p) => server(p.outgoingHost, p.outgoingPort) },
  {
    key: 'credentials',
    header: 'Credentials',
    render: (p) => (p.credentialSource === 'mailbox' ? 'Per mailbox' : 'In the profile'),
  },
  {
    key: 'state',
    header: 'Status',
    render: (p) => <StateBadge state={p.state} />,
    sortValue: (p) => p.state,
  },
  {
    key: 'lastTest',
    header: 'Last Connection Test',
    render: (p) =>
      p.lastTestStatus ? (
        <>
          {p.lastTestStatus} <Time value={p.lastTestStartedAt} />
        </>
      ) : (
        'Never'
      ),
  },
  { key: 'owner', header: 'Owner', render: (p) => <RecordLink type={p.ownerType} id={p.ownerId} /> },
];

export function ProfilesPage() {
  const [view, setView] = useView(VIEWS, 'active');
  const listing = useLoad(view, () =>
    listAll<EmailServerProfile>('/api/email-server-profiles', view === 'all' ? {} : { state: view }),
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const action = useAction();
  const navigate = useNavigate();
  const { refresh } = useDirectory();
  const ids = [...selected].filter((id) => listing.data?.items.some((p) => p.id === id));

  const setState = (verb: 'activate' | 'deactivate') =>
    void action
      .run(async () => {
        for (const id of ids) await api('POST', `/api/email-server-profiles/${id}/${verb}`);
        return `${verb === 'activate' ? 'Activated' : 'Deactivated'} ${ids.length} profile${ids.length === 1 ? '' : 's'}.`;
      })
      .finally(() => {
        setSelected(new Set());
        listing.reload();
        refresh();
      });

  return (
    <>
      <PageHeader trail={['Settings', 'Email Configuration']} title="Email Server Profiles" />
      <div className="grid-toolbar">
        <ViewPicker id="profile-view" views={VIEWS} value={view} onChange={setView} />
      </div>
      <CommandBar label="Email server profile commands">
        <button type="button" onClick={() => void navigate('/email-server-profiles/new')}>
          New
        </button>
        <button type="button" disabled={ids.length === 0 || action.busy} onClick={() => setState('activate')}>
          Activate
        </button>
        <button
          type="button"
          disabled={ids.length === 0 || action.busy}
          onClick={() => setState('deactivate')}
        >
          Deactivate
        </button>
        <button type="button" onClick={listing.reload}>
          Refresh
        </button>
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      {listing.error && <LoadError error={listing.error} onRetry={listing.reload} />}
      {!listing.data ? (
        <Loading what="email server profiles" />
      ) : (
        <>
          <DataGrid
            caption={VIEWS.find((v) => v.key === view)?.label ?? 'Email Server Profiles'}
            columns={COLUMNS}
            rows={listing.data.items}
            empty="No email server profiles in this view."
            selected={selected}
            onSelectedChange={setSelected}
            rowLabel={(p) => p.name}
          />
          <Truncated shown={listing.data.items.length} truncated={listing.data.truncated} />
        </>
      )}
    </>
  );
}
