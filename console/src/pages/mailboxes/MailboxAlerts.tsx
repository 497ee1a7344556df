/**
 * The Alerts section of a mailbox form: open alerts first, newest first;
 * resolved ones on request, so the history is there without crowding.
 */
import { useState } from 'react';
import { listAll } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Alert } from '../../api/types';
import { CheckboxField } from '../../components/fields';
import { LoadError, Loading } from '../../components/Notice';
import { AlertCard } from '../alerts/AlertCard';

export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      Number(a.resolvedAt !== null) - Number(b.resolvedAt !== null) ||
      b.lastSeenAt.localeCompare(a.lastSeenAt),
  );
}

export function MailboxAlerts({
  mailboxId,
  version,
  onFixed,
}: {
  mailboxId: string;
  version: number;
  onFixed: () => void;
}) {
  const [showResolved, setShowResolved] = useState(false);
  const alerts = useLoad(`${mailboxId}|${version}`, () =>
    listAll<Alert>('/api/alerts', { mailboxId }).then((listing) => sortAlerts(listing.items)),
  );
  const shown = (alerts.data ?? []).filter((alert) => showResolved || alert.resolvedAt === null);
  const resolvedCount = (alerts.data ?? []).filter((alert) => alert.resolvedAt !== null).length;

  return (
    <section className="form-section" aria-labelledby="mailbox-alerts">
      <h2 id="mailbox-alerts">Alerts</h2>
      <CheckboxField
        label={`Show resolved alerts (${resolvedCount})`}
        checked={showResolved}
        onChange={setShowResolved}
      />
      {alerts.error && <LoadError error={alerts.error} onRetry={alerts.reload} />}
      {alerts.loading && !alerts.data && <Loading what="alerts" />}
      {alerts.data && shown.length === 0 && <p className="muted">No open alerts for this mailbox.</p>}
      <div className="alert-list">
        {shown.map((alert) => (
          <AlertCard key={alert.id} alert={alert} onFixed={onFixed} />
        ))}
      </div>
    </section>
  );
}
