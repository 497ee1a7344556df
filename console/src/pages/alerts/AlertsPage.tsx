/**
 * Settings › Email Configuration › Alerts: every alert the signed-in user may
 * read, across mailboxes and profiles, filtered by status, level, code,
 * mailbox and profile. Each links to its records and offers its fixes.
 */
import { useSearchParams } from 'react-router';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Alert } from '../../api/types';
import { CommandBar } from '../../components/CommandBar';
import { LoadError, Loading } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { Truncated } from '../../components/Truncated';
import { sortAlerts } from '../mailboxes/MailboxAlerts';
import { AlertCard } from './AlertCard';
import { AlertFilters, type AlertFilter } from './AlertFilters';

export function AlertsPage() {
  const [params, setParams] = useSearchParams();
  const filter: AlertFilter = {
    level: params.get('level') ?? '',
    code: params.get('code') ?? '',
    mailbox: params.get('mailbox') ?? '',
    profile: params.get('profile') ?? '',
    status: params.get('status') ?? 'open',
  };
  const serverQuery = {
    level: filter.level || undefined,
    code: filter.code.trim() || undefined,
    mailboxId: filter.mailbox || undefined,
    emailServerProfileId: filter.profile || undefined,
  };
  const alerts = useLoad(JSON.stringify(serverQuery), () => listAll<Alert>('/api/alerts', serverQuery));
  // The API filters by equality on its columns; open or resolved is decided here.
  const shown = sortAlerts(
    (alerts.data?.items ?? []).filter((a) =>
      filter.status === 'all'
        ? true
        : filter.status === 'open'
          ? a.resolvedAt === null
          : a.resolvedAt !== null,
    ),
  );
  const codes = [...new Set((alerts.data?.items ?? []).map((a) => a.code))].sort();

  const change = (field: keyof AlertFilter, value: string) =>
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      if (value) next.set(field, value);
      else next.delete(field);
      return next;
    });

  return (
    <>
      <PageHeader trail={['Settings', 'Email Configuration']} title="Alerts" />
      <AlertFilters filter={filter} codes={codes} onChange={change} />
      <CommandBar label="Alert commands">
        <button type="button" onClick={alerts.reload}>
          Refresh
        </button>
      </CommandBar>
      {alerts.error && <LoadError error={alerts.error} onRetry={alerts.reload} />}
      {!alerts.data ? (
        <Loading what="alerts" />
      ) : (
        <>
          <p className="muted" role="status">
            {shown.length} alert{shown.length === 1 ? '' : 's'}
          </p>
          <div className="alert-list">
            {shown.map((alert) => (
              <AlertCard key={alert.id} alert={alert} onFixed={alerts.reload} showRecords />
            ))}
          </div>
          <Truncated shown={alerts.data.items.length} truncated={alerts.data.truncated} />
        </>
      )}
    </>
  );
}
