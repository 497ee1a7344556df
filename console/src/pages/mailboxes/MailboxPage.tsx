/**
 * The mailbox form: its fields, the results of the last Test & Enable, the
 * commands of the reference system (Test & Enable Mailbox, Approve Email,
 * Reject Email, Activate, Deactivate), a Diagnose that changes nothing, and
 * the mailbox's alerts with their fixes.
 */
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, ApiError, type FieldProblem } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { DiagnosisReport, Mailbox, TestResult } from '../../api/types';
import { useDraft } from '../../api/useDraft';
import { CommandBar } from '../../components/CommandBar';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { useDirectory } from '../../directory/DirectoryContext';
import { CHANNEL_STATUS } from '../../labels';
import { DiagnosisPanel } from './DiagnosisPanel';
import { FailedItems } from './FailedItems';
import { MailboxAlerts } from './MailboxAlerts';
import { MailboxFields } from './MailboxFields';
import { MailboxStatus } from './MailboxStatus';

function describeTest(result: TestResult): string {
  return `Test & Enable finished. Incoming Email: ${CHANNEL_STATUS[result.incomingStatus]}; Outgoing Email: ${CHANNEL_STATUS[result.outgoingStatus]}; Appointments, Contacts, and Tasks: ${CHANNEL_STATUS[result.actStatus]}.`;
}

function MailboxEditor({ mailbox, reload }: { mailbox: Mailbox; reload: () => void }) {
  const draft = useDraft(mailbox);
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [version, setVersion] = useState(0);
  const [diagnosis, setDiagnosis] = useState<DiagnosisReport>();
  const action = useAction();
  const { refresh } = useDirectory();
  const changed = () => {
    setVersion((v) => v + 1);
    reload();
  };

  /** Saves the form's changes, if any; a refused save shows its field problems. */
  const save = async () => {
    const body = { ...draft.changes, ...(password ? { password } : {}) };
    if (Object.keys(body).length === 0) return false;
    try {
      await api('PATCH', `/api/mailboxes/${mailbox.id}`, body);
    } catch (error) {
      if (error instanceof ApiError) setProblems(error.fieldProblems);
      throw error;
    }
    setProblems([]);
    setPassword('');
    refresh();
    return true;
  };

  const run = (work: () => Promise<string>) => void action.run(work).then(changed);
  const post = (path: string, done: string) =>
    run(async () => {
      await api('POST', `/api/mailboxes/${mailbox.id}/${path}`);
      return done;
    });

  const dirty = draft.dirty || password !== '';
  return (
    <>
      <PageHeader
        trail={['Settings', 'Email Configuration', 'Mailboxes']}
        kind="Mailbox"
        title={mailbox.name}
      />
      <CommandBar label="Mailbox commands">
        <button
          type="button"
          className="primary"
          disabled={!dirty || action.busy}
          onClick={() => run(async () => ((await save()) ? 'Saved.' : 'Nothing to save.'))}
        >
          Save
        </button>
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            run(async () => {
              // As in the reference system, the test runs on the saved record: save pending changes first.
              await save();
              const result = await api<TestResult>(
                'POST',
                `/api/mailboxes/${mailbox.id}/test-and-enable?wait=true`,
              );
              return result.completed
                ? describeTest(result)
                : 'Test & Enable is still running; refresh in a moment.';
            })
          }
        >
          {action.busy ? 'Working…' : 'Test & Enable Mailbox'}
        </button>
        <button
          type="button"
          disabled={action.busy || mailbox.approvalStatus === 'approved'}
          onClick={() => post('approve', 'The email address is approved.')}
        >
          Approve Email
        </button>
        <button
          type="button"
          disabled={action.busy || mailbox.approvalStatus === 'rejected'}
          onClick={() => post('reject', 'The email address is rejected.')}
        >
          Reject Email
        </button>
        {mailbox.state === 'active' ? (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => post('deactivate', 'The mailbox is deactivated.')}
          >
            Deactivate
          </button>
        ) : (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => post('activate', 'The mailbox is activated.')}
          >
            Activate
          </button>
        )}
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              setDiagnosis(await api<DiagnosisReport>('GET', `/api/mailboxes/${mailbox.id}/diagnosis`));
            })
          }
        >
          Diagnose
        </button>
        <button type="button" disabled={action.busy} onClick={changed}>
          Refresh
        </button>
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      {diagnosis && <DiagnosisPanel report={diagnosis} />}
      <div className="form-columns">
        <div>
          <MailboxFields draft={draft} password={password} onPassword={setPassword} problems={problems} />
        </div>
        <div>
          <MailboxStatus mailbox={mailbox} />
        </div>
      </div>
      <MailboxAlerts mailboxId={mailbox.id} version={version} onFixed={changed} />
      <FailedItems mailboxId={mailbox.id} version={version} />
    </>
  );
}

export function MailboxPage() {
  const { id = '' } = useParams();
  const mailbox = useLoad(id, () => api<Mailbox>('GET', `/api/mailboxes/${id}`));
  if (mailbox.error) return <LoadError error={mailbox.error} onRetry={mailbox.reload} />;
  if (!mailbox.data) return <Loading what="the mailbox" />;
  return <MailboxEditor mailbox={mailbox.data} reload={mailbox.reload} />;
}
