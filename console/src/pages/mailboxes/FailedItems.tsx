/**
 * Item-level failures of incoming sync for one mailbox: messages that could
 * not be processed (they never block the mailbox), with their code and
 * reason, and a Retry for the parked and skipped ones.
 */
import { api, ApiError } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { FailedItem } from '../../api/types';
import { LoadError, Notice } from '../../components/Notice';
import { Time } from '../../components/Time';

const RETRYABLE = new Set(['parked', 'skipped']);

export function FailedItems({ mailboxId, version }: { mailboxId: string; version: number }) {
  const items = useLoad(`${mailboxId}|${version}`, () =>
    api<{ items: FailedItem[] }>('GET', `/api/mailboxes/${mailboxId}/items`).then((answer) => answer.items),
  );
  const action = useAction();
  const retry = (item: FailedItem) =>
    void action
      .run(async () => {
        await api('POST', `/api/mailboxes/${mailboxId}/items/${item.id}/retry`);
        return `"${item.subject ?? 'the message'}" will be processed again in the next cycle.`;
      })
      .then(items.reload);

  // Older servers have no item route; the section is then left out rather than showing an error.
  if (items.error instanceof ApiError && items.error.status === 404) return null;
  return (
    <section className="form-section" aria-labelledby="failed-items">
      <h2 id="failed-items">Failed Items</h2>
      {items.error && <LoadError error={items.error} onRetry={items.reload} />}
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      {items.data && items.data.length === 0 && <p className="muted">No message failed to process.</p>}
      {items.data && items.data.length > 0 && (
        <ul className="item-list">
          {items.data.map((item) => (
            <li key={item.id}>
              <span className="item-subject">{item.subject ?? '(no subject)'}</span>
              <span className={`badge badge-${item.status === 'failed' ? 'warn' : 'bad'}`}>
                {item.status}
              </span>
              <code>{item.code ?? ''}</code>
              <span className="muted">{item.reason}</span>
              <span>
                {item.attempts} attempt{item.attempts === 1 ? '' : 's'}, last{' '}
                <Time value={item.lastAttemptAt} />
              </span>
              {RETRYABLE.has(item.status) && (
                <button type="button" disabled={action.busy} onClick={() => retry(item)}>
                  Retry
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
