/**
 * The queue form: name, email address, which email becomes activities, the
 * Owner (a link: a queue owned by a team needs the team to hold roles) and
 * the queue's mailbox.
 */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, type FieldProblem } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { Queue } from '../../api/types';
import { useDraft } from '../../api/useDraft';
import { CommandBar } from '../../components/CommandBar';
import { FormSection, problemFor, ReadOnlyField, SelectField, TextField } from '../../components/fields';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { OwnerField } from '../../components/OwnerField';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { useDirectory } from '../../directory/DirectoryContext';
import { enumOptions, INCOMING_EMAIL_FILTER } from '../../labels';

const BLANK: Queue = {
  id: '',
  name: '',
  description: '',
  emailAddress: null,
  queueViewType: 'public',
  incomingEmailFilter: 'all',
  mailboxId: null,
  ownerId: '',
  ownerType: 'user',
  businessUnitId: '',
};

function QueueEditor({ queue, reload }: { queue: Queue; reload: () => void }) {
  const isNew = queue.id === '';
  const draft = useDraft(queue);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const action = useAction();
  const navigate = useNavigate();
  const { refresh } = useDirectory();
  const q = draft.value;

  const save = () =>
    void action
      .run(async () => {
        const { name, description, emailAddress, queueViewType, incomingEmailFilter, ownerId, ownerType } =
          isNew ? q : draft.changes;
        const body = {
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(emailAddress !== undefined && (emailAddress || !isNew) ? { emailAddress } : {}),
          ...(queueViewType !== undefined ? { queueViewType } : {}),
          ...(incomingEmailFilter !== undefined ? { incomingEmailFilter } : {}),
          ...(!isNew && (ownerId !== undefined || ownerType !== undefined)
            ? { ownerId: q.ownerId, ownerType: q.ownerType }
            : {}),
        };
        try {
          if (isNew) {
            const created = await api<Queue>('POST', '/api/queues', body);
            void navigate(`/queues/${created.id}`, { replace: true });
            return 'Created, with its mailbox.';
          }
          await api('PATCH', `/api/queues/${queue.id}`, body);
        } catch (error) {
          if (error instanceof ApiError) setProblems(error.fieldProblems);
          throw error;
        }
        setProblems([]);
        return 'Saved.';
      })
      .then(() => {
        reload();
        refresh();
      });

  return (
    <>
      <PageHeader
        trail={['Settings', 'Business Management', 'Queues']}
        kind="Queue"
        title={isNew ? 'New Queue' : queue.name}
      />
      <CommandBar label="Queue commands">
        <button
          type="button"
          className="primary"
          disabled={action.busy || (!isNew && !draft.dirty)}
          onClick={save}
        >
          Save
        </button>
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      <FormSection title="Summary">
        <TextField
          label="Queue Name"
          value={q.name}
          onChange={(v) => draft.set('name', v)}
          problem={problemFor(problems, 'name')}
          required
        />
        <TextField
          label="Incoming Email"
          type="email"
          value={q.emailAddress ?? ''}
          onChange={(v) => draft.set('emailAddress', v || null)}
          problem={problemFor(problems, 'emailAddress')}
        />
        <SelectField
          label="Type"
          value={q.queueViewType}
          options={[
            { value: 'public', label: 'Public' },
            { value: 'private', label: 'Private' },
          ]}
          onChange={(v) => draft.set('queueViewType', v)}
        />
        <SelectField
          label="Convert Incoming Email to Activities"
          value={q.incomingEmailFilter}
          options={enumOptions(INCOMING_EMAIL_FILTER)}
          onChange={(v) => draft.set('incomingEmailFilter', v)}
        />
        <TextField label="Description" value={q.description} onChange={(v) => draft.set('description', v)} />
        {!isNew && (
          <OwnerField
            ownerType={q.ownerType}
            ownerId={q.ownerId}
            onChange={(type, id) => {
              draft.set('ownerType', type);
              draft.set('ownerId', id);
            }}
          />
        )}
        {!isNew && (
          <ReadOnlyField label="Mailbox">
            <RecordLink type="mailbox" id={queue.mailboxId} />
          </ReadOnlyField>
        )}
        {!isNew && (
          <ReadOnlyField label="Queue Items">
            <Link to={`/activities/queue-items?queue=${queue.id}`}>Items in this queue</Link>
          </ReadOnlyField>
        )}
      </FormSection>
    </>
  );
}

export function QueuePage() {
  const { id = '' } = useParams();
  const queue = useLoad(id, () =>
    id === 'new' ? Promise.resolve(BLANK) : api<Queue>('GET', `/api/queues/${id}`),
  );
  if (queue.error) return <LoadError error={queue.error} onRetry={queue.reload} />;
  if (!queue.data) return <Loading what="the queue" />;
  return <QueueEditor key={id} queue={queue.data} reload={queue.reload} />;
}
