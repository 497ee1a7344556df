/**
 * The user form: identity, Enable/Disable, Manage Roles, the user's teams,
 * mailbox and console password.
 */
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, type FieldProblem } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { User } from '../../api/types';
import { useDraft } from '../../api/useDraft';
import { Badge } from '../../components/Badges';
import { CommandBar } from '../../components/CommandBar';
import { CheckboxField, FormSection, problemFor, ReadOnlyField, TextField } from '../../components/fields';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { useDirectory } from '../../directory/DirectoryContext';
import { useSignedInUser } from '../../session/SessionContext';
import { ManageRoles } from './ManageRoles';
import { PasswordSection } from './PasswordSection';
import { RoleList } from './RoleList';

const BLANK: User = {
  id: '',
  name: '',
  username: '',
  emailAddress: null,
  businessUnitId: '',
  disabled: false,
  allowSendAs: false,
  roleIds: [],
  teamIds: [],
  mailboxId: null,
  createdAt: '',
};

function UserEditor({ user, reload }: { user: User; reload: () => void }) {
  const isNew = user.id === '';
  const draft = useDraft(user);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const action = useAction();
  const navigate = useNavigate();
  const me = useSignedInUser();
  const { directory, refresh } = useDirectory();
  const changed = () => {
    reload();
    refresh();
  };
  const run = (work: () => Promise<string>) => void action.run(work).then(changed);

  const save = () =>
    run(async () => {
      const { name, username, emailAddress, allowSendAs } = draft.value;
      try {
        if (isNew) {
          const created = await api<User>('POST', '/api/users', {
            name,
            username,
            ...(emailAddress ? { emailAddress } : {}),
            allowSendAs,
          });
          void navigate(`/security/users/${created.id}`, { replace: true });
          return 'Created. Assign security roles with Manage Roles.';
        }
        const { name: n, emailAddress: e, allowSendAs: a } = draft.changes;
        await api('PATCH', `/api/users/${user.id}`, {
          ...(n !== undefined ? { name: n } : {}),
          ...(e !== undefined ? { emailAddress: e } : {}),
          ...(a !== undefined ? { allowSendAs: a } : {}),
        });
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
        trail={['Settings', 'Security', 'Users']}
        kind="User"
        title={isNew ? 'New User' : user.name}
      >
        {!isNew && user.disabled && <Badge tone="neutral">Disabled</Badge>}
      </PageHeader>
      <CommandBar label="User commands">
        <button
          type="button"
          className="primary"
          disabled={action.busy || (!isNew && !draft.dirty)}
          onClick={save}
        >
          Save
        </button>
        {!isNew && (
          <>
            <ManageRoles
              holder="users"
              holderId={user.id}
              holderName={user.name}
              assigned={user.roleIds}
              roles={directory.roles}
              busy={action.busy}
              run={run}
            />
            <button
              type="button"
              disabled={action.busy || user.id === me.id}
              onClick={() =>
                run(async () => {
                  await api('PATCH', `/api/users/${user.id}`, { disabled: !user.disabled });
                  return user.disabled
                    ? 'The user is enabled.'
                    : 'The user is disabled; its mailbox stops synchronizing.';
                })
              }
            >
              {user.disabled ? 'Enable' : 'Disable'}
            </button>
          </>
        )}
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      <div className="form-columns">
        <div>
          <FormSection title="Account Information">
            <TextField
              label="Full Name"
              value={draft.value.name}
              onChange={(v) => draft.set('name', v)}
              problem={problemFor(problems, 'name')}
              required
            />
            <TextField
              label="User Name"
              value={draft.value.username}
              onChange={(v) => draft.set('username', v)}
              disabled={!isNew}
              problem={problemFor(problems, 'username')}
              required
            />
            <TextField
              label="Primary Email"
              type="email"
              value={draft.value.emailAddress ?? ''}
              onChange={(v) => draft.set('emailAddress', v || null)}
              problem={problemFor(problems, 'emailAddress')}
            />
            <CheckboxField
              label="Allow other users to send email on your behalf"
              checked={draft.value.allowSendAs}
              onChange={(v) => draft.set('allowSendAs', v)}
            />
            {!isNew && (
              <ReadOnlyField label="Business Unit">
                <RecordLink type="businessUnit" id={user.businessUnitId} />
              </ReadOnlyField>
            )}
            {!isNew && (
              <ReadOnlyField label="Mailbox">
                <RecordLink type="mailbox" id={user.mailboxId} />
              </ReadOnlyField>
            )}
          </FormSection>
        </div>
        {!isNew && (
          <div>
            <FormSection title="Security Roles">
              <div className="form-wide">
                <RoleList
                  roleIds={user.roleIds}
                  empty="No security roles: this user can do nothing, and its mailbox cannot synchronize."
                />
              </div>
            </FormSection>
            <FormSection title="Teams">
              <div className="form-wide">
                {user.teamIds.length === 0 ? (
                  <p className="muted">Not a member of any team.</p>
                ) : (
                  <ul className="link-list">
                    {user.teamIds.map((id) => (
                      <li key={id}>
                        <RecordLink type="team" id={id} />
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </FormSection>
          </div>
        )}
      </div>
      {!isNew && <PasswordSection userId={user.id} isSelf={user.id === me.id} />}
    </>
  );
}

export function UserPage() {
  const { id = '' } = useParams();
  const user = useLoad(id, () =>
    id === 'new' ? Promise.resolve(BLANK) : api<User>('GET', `/api/users/${id}`),
  );
  if (user.error) return <LoadError error={user.error} onRetry={user.reload} />;
  if (!user.data) return <Loading what="the user" />;
  return <UserEditor key={id} user={user.data} reload={user.reload} />;
}
