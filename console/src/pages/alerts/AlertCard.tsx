/**
 * One alert: level icon, code, the exact message, when and how often it
 * happened, and the diagnosis — which records are at fault, what to do — with
 * the fixes Mailroom can apply as buttons, and Yes/No for an alert that asks.
 */
import { useState } from 'react';
import { api } from '../../api/client';
import { useAction } from '../../api/hooks';
import type { Alert } from '../../api/types';
import { LevelIcon } from '../../components/Badges';
import { Notice } from '../../components/Notice';
import { RecordLink } from '../../components/RecordLink';
import { Time } from '../../components/Time';
import { CHANNEL } from '../../labels';

function channelLabel(channel: Alert['channel']): string {
  if (channel === 'incoming' || channel === 'outgoing' || channel === 'act') return CHANNEL[channel];
  return channel === 'profile'
    ? 'Email server profile'
    : channel === 'approval'
      ? 'Approval'
      : channel === 'item'
        ? 'Item'
        : 'General';
}

function Diagnosis({ alert }: { alert: Alert }) {
  const diagnosis = alert.diagnosis;
  if (!diagnosis) return null;
  return (
    <div className="diagnosis">
      <p>
        <strong>Cause:</strong> {diagnosis.summary}
      </p>
      {diagnosis.findings && diagnosis.findings.length > 0 && (
        <ul className="findings">
          {diagnosis.findings.map((finding, index) => (
            // One record can be at fault in more than one way.
            <li key={`${finding.record.type}:${finding.record.id}:${index}`}>
              <RecordLink type={finding.record.type} id={finding.record.id} name={finding.record.name} />:{' '}
              {finding.problem}
            </li>
          ))}
        </ul>
      )}
      <p>
        <strong>How to fix:</strong> {diagnosis.fix}
      </p>
    </div>
  );
}

function FixButtons({ alert, onFixed }: { alert: Alert; onFixed: () => void }) {
  const action = useAction();
  if (alert.resolvedAt || alert.fixActions.length === 0) return null;
  const apply = (index: number, label: string) =>
    void action
      .run(async () => {
        await api('POST', `/api/alerts/${alert.id}/fix-actions/${index}`);
        return `Done: ${label}. Run Test & Enable to check the mailbox again.`;
      })
      .then((ok) => ok && onFixed());
  return (
    <div className="fix-actions">
      {alert.fixActions.map((fix, index) => (
        <button
          key={`${fix.kind}-${index}`}
          type="button"
          disabled={action.busy}
          onClick={() => apply(index, fix.label)}
        >
          {fix.label}
        </button>
      ))}
      <Notice outcome={action.outcome} />
    </div>
  );
}

/** Catalogue entries whose alert is a question (scheduling conflict, duplicate record). */
const QUESTIONS: ReadonlySet<string> = new Set(['E1', 'E2']);

/**
 * Yes and No for an alert that asks a question: the item waits until one is
 * chosen. Yes saves it on the mailbox's next sync (started at once), No leaves
 * this version of it out. The confirmation stays in place of the buttons (the
 * list is not reloaded under it, where an answered alert would leave the open
 * ones); an alert answered earlier shows its answer.
 */
function DecisionButtons({ alert }: { alert: Alert }) {
  const action = useAction();
  const [answered, setAnswered] = useState(false);
  if (!alert.entryId || !QUESTIONS.has(alert.entryId)) return null;
  const decided = alert.details.decision;
  if (alert.resolvedAt) {
    return decided === 'yes' || decided === 'no' ? (
      <p className="decision-answer">Answered: {decided === 'yes' ? 'Yes' : 'No'}</p>
    ) : null;
  }
  const answer = (choice: 'yes' | 'no') =>
    void action
      .run(async () => {
        await api('POST', `/api/alerts/${alert.id}/decision`, { answer: choice });
        return choice === 'yes'
          ? 'Answered Yes: the item is saved on the next sync, which starts now.'
          : 'Answered No: the item is left out until it changes on the server.';
      })
      .then((ok) => ok && setAnswered(true));
  return (
    <div className="fix-actions" role="group" aria-label="Answer the question">
      {!answered && (
        <>
          <button type="button" disabled={action.busy} onClick={() => answer('yes')}>
            Yes
          </button>
          <button type="button" disabled={action.busy} onClick={() => answer('no')}>
            No
          </button>
        </>
      )}
      <Notice outcome={action.outcome} />
    </div>
  );
}

export function AlertCard({
  alert,
  onFixed,
  showRecords = false,
}: {
  alert: Alert;
  onFixed: () => void;
  /** the alerts page shows which mailbox and profile each alert is about */
  showRecords?: boolean;
}) {
  return (
    <article
      className={`alert-card alert-${alert.level}${alert.resolvedAt ? ' alert-resolved' : ''}`}
      aria-label={`${alert.level} alert ${alert.code}`}
    >
      <header className="alert-head">
        <LevelIcon level={alert.level} />
        <h3 className="alert-code">{alert.code}</h3>
        <span className="alert-channel">{channelLabel(alert.channel)}</span>
        {alert.resolvedAt ? (
          <span className="badge badge-good">
            <span aria-hidden="true">✓</span> Resolved <Time value={alert.resolvedAt} />
          </span>
        ) : (
          <span className="badge badge-warn">Open</span>
        )}
      </header>
      <p className="alert-message">{alert.message}</p>
      {alert.serverErrorCode && <p className="alert-server-code">Server error: {alert.serverErrorCode}</p>}
      <dl className="alert-facts">
        <div>
          <dt>Last occurred</dt>
          <dd>
            <Time value={alert.lastSeenAt} />
          </dd>
        </div>
        <div>
          <dt>First occurred</dt>
          <dd>
            <Time value={alert.firstSeenAt} />
          </dd>
        </div>
        <div>
          <dt>Count</dt>
          <dd>{alert.occurrenceCount}</dd>
        </div>
        {showRecords && alert.mailboxId && (
          <div>
            <dt>Mailbox</dt>
            <dd>
              <RecordLink type="mailbox" id={alert.mailboxId} />
            </dd>
          </div>
        )}
        {showRecords && alert.emailServerProfileId && (
          <div>
            <dt>Email server profile</dt>
            <dd>
              <RecordLink type="emailServerProfile" id={alert.emailServerProfileId} />
            </dd>
          </div>
        )}
        {alert.itemReference && (
          <div>
            <dt>Item</dt>
            <dd>{alert.itemReference}</dd>
          </div>
        )}
      </dl>
      <Diagnosis alert={alert} />
      <FixButtons alert={alert} onFixed={onFixed} />
      <DecisionButtons alert={alert} />
    </article>
  );
}
