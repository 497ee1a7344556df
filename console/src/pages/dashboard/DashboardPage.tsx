/**
 * The dashboard: what needs attention (tiles that link to the views that
 * list it) and charts of mailbox statuses, alerts over time, incoming
 * throughput, cycle durations and the outgoing queue, refreshed live.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { useInterval, useLoad } from '../../api/hooks';
import { LoadError, Loading } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import {
  AlertsOverTimeChart,
  CycleChart,
  IncomingThroughputChart,
  MailboxStatusChart,
  OutgoingQueueChart,
} from './Charts';
import { loadDashboard } from './dashboardData';

const REFRESH_MS = 15_000;

function Tile({
  label,
  value,
  to,
  tone,
}: {
  label: string;
  value: number;
  to: string;
  tone?: 'bad' | 'warn';
}) {
  return (
    <Link to={to} className={`tile${tone && value > 0 ? ` tile-${tone}` : ''}`}>
      <span className="tile-value">{value}</span>
      <span className="tile-label">{label}</span>
    </Link>
  );
}

export function DashboardPage() {
  const dashboard = useLoad('dashboard', loadDashboard);
  const [live, setLive] = useState(true);
  useInterval(dashboard.reload, REFRESH_MS, live);
  const data = dashboard.data;
  return (
    <>
      <PageHeader trail={['Overview']} title="Dashboard">
        <div className="live-control">
          <button type="button" aria-pressed={live} onClick={() => setLive((on) => !on)}>
            {live ? 'Live updates on' : 'Live updates paused'}
          </button>
          {data && <span className="muted">Updated {data.loadedAt.toLocaleTimeString()}</span>}
        </div>
      </PageHeader>
      {dashboard.error && <LoadError error={dashboard.error} onRetry={dashboard.reload} />}
      {!data ? (
        <Loading what="the dashboard" />
      ) : (
        <>
          <div className="tiles">
            <Tile label="Active mailboxes" value={data.totals.active} to="/mailboxes?view=active" />
            <Tile
              label="Mailboxes with errors"
              value={data.totals.withErrors}
              to="/mailboxes?view=errors"
              tone="bad"
            />
            <Tile
              label="Pending approval"
              value={data.totals.pendingApproval}
              to="/mailboxes?view=pendingApproval"
              tone="warn"
            />
            <Tile
              label="Open error alerts"
              value={data.totals.openErrors}
              to="/alerts?level=error"
              tone="bad"
            />
            <Tile
              label="Open warnings"
              value={data.totals.openWarnings}
              to="/alerts?level=warning"
              tone="warn"
            />
          </div>
          <div className="charts">
            <MailboxStatusChart data={data} />
            <AlertsOverTimeChart data={data} />
            <IncomingThroughputChart data={data} />
            <CycleChart data={data} />
            <OutgoingQueueChart data={data} />
          </div>
        </>
      )}
    </>
  );
}
