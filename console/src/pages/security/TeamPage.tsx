/**
 * The team form: name and type (an owner team can own records and hold
 * roles), Manage Roles, members, and the queues and mailboxes the team owns —
 * a team that owns a queue needs roles for the queue to receive email.
 */
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, type FieldProblem } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { Team } from '../../api/types';
import { useDraft } from '../../api/useDraft';
import { CommandBar } from '../../components/CommandBar';
import { FormSection, problemFor, SelectField, TextField } from '../../components/fields';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { useDirectory } from '../../directory/DirectoryContext';
import { ManageRoles } from './ManageRoles';
import { RoleList } from './RoleList';
import { TeamMembers } from './TeamMembers';

const BLANK: Team = {
  id: '',
  name: '',
  teamType: 'owner',
  businessUnitId: '',
  administratorId: null,
  emailAddress: null,
  memberIds: [],
  roleIds: [],
};

function OwnedRecords({ teamId }: { teamId: string }) {
  const { directory } = useDirectory();
  const queues = directory.queues.filter((q) => q.ownerType === 'team' && q.ownerId === teamId);
  const mailboxes = directory.mailboxes.filter((m) => m.ownerType === 'team' && m.ownerId === teamId);
  return (
    <FormSection title="Owned Queues and Mailboxes">
      <div className="form-wide">
        {queues.length + mailboxes.length === 0 ? (
          <p className="muted">This team owns no queue or mailbox.</p>
        ) : (
          <ul className="link-list">
            {queues.map((q) => (
              <li key={q.id}>
                Queue <RecordLink type="queue" id={q.id} name={q.name} />
              </li>
            ))}
            {mailboxes.map((m) => (
              <li key={m.id}>
                Mailbox <RecordLink type="mailbox" id={m.id} name={m.name} />
              </li>
            ))}
          </ul>
        )}
      </div>
    </FormSection>
  );
}

function TeamEditor({ team, reload }: { team: Team; reload: () => void }) {
  const isNew = team.id === '';
  const draft = useDraft(team);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const action = useAction();
  const navigate = useNavigate();
  const { directory, refresh } = useDirectory();
  const run = (work: () => Promise<string>) =>
    void action.run(work).then(() => {
      reload();
      refresh();
    });
  const userOptions = [
    { value: '', label: '(none)' },
    ...directory.users.map((u) => ({ value: u.id, label: u.name })),
  ];

  const save = () =>
    run(async () => {
      const { name, teamType, administratorId, emailAddress } = isNew ? draft.value : { ...draft.changes };
      const body = {
        ...(name !== undefined ? { name } : {}),
        ...(teamType !== undefined ? { teamType } : {}),
        ...(administratorId !== undefined && (administratorId || !isNew) ? { administratorId } : {}),
        ...(emailAddress !== undefined && (emailAddress || !isNew) ? { emailAddress } : {}),
      };
      try {
        if (isNew) {
          const created = await api<Team>('POST', '/api/teams', body);
          void navigate(`/security/teams/${created.id}`, { replace: true });
          return 'Created.';
        }
        await api('PATCH', `/api/teams/${team.id}`, body);
      } catch (error) {
        if (error instanceof ApiError) setProblems(error.fieldProblems);
        throw error;
      }
      setProblems([]);
      return 'Saved.';
    });

  return (
    <>
      <PageHeader
        trail={['Settings', 'Security', 'Teams']}
        kind="Team"
        title={isNew ? 'New Team' : team.name}
      />
      <CommandBar label="Team commands">
        <button
          type="button"
          className="primary"
          disabled={action.busy || (!isNew && !draft.dirty)}
          onClick={save}
        >
          Save
        </button>
        {!isNew && (
          <ManageRoles
            holder="teams"
            holderId={team.id}
            holderName={team.name}
            assigned={team.roleIds}
            roles={directory.roles}
            busy={action.busy}
            run={run}
          />
        )}
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      <div className="form-columns">
        <div>
          <FormSection title="Team Information">
            <TextField
              label="Team Name"
              value={draft.value.name}
              onChange={(v) => draft.set('name', v)}
              problem={problemFor(problems, 'name')}
              required
            />
            <SelectField
              label="Team Type"
              value={draft.value.teamType}
              options={[
                { value: 'owner', label: 'Owner' },
                { value: 'access', label: 'Access' },
              ]}
              onChange={(v) => draft.set('teamType', v)}
              hint="An owner team can own records (queues, mailboxes) and hold security roles."
            />
            <SelectField
              label="Administrator"
              value={draft.value.administratorId ?? ''}
              options={userOptions}
              onChange={(v) => draft.set('administratorId', v || null)}
            />
            <TextField
              label="Email"
              type="email"
              value={draft.value.emailAddress ?? ''}
              onChange={(v) => draft.set('emailAddress', v || null)}
              problem={problemFor(problems, 'emailAddress')}
            />
          </FormSection>
          {!isNew && <TeamMembers team={team} busy={action.busy} run={run} />}
        </div>
        {!isNew && (
          <div>
            <FormSection title="Security Roles">
              <div className="form-wide">
                <RoleList
                  roleIds={team.roleIds}
                  empty="No security roles: records this team owns cannot be written on its behalf."
                />
              </div>
            </FormSection>
            <OwnedRecords teamId={team.id} />
          </div>
        )}
      </div>
    </>
  );
}

export function TeamPage() {
  const { id = '' } = useParams();
  const team = useLoad(id, () =>
    id === 'new' ? Promise.resolve(BLANK) : api<Team>('GET', `/api/teams/${id}`),
  );
  if (team.error) return <LoadError error={team.error} onRetry={team.reload} />;
  if (!team.data) return <Loading what="the team" />;
  return <TeamEditor key={id} team={team.data} reload={team.reload} />;
}
