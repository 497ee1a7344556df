/**
 * The email server profile form (also for a new profile): its fields,
 * Activate / Deactivate, Test Connection, Test & Enable of every mailbox that
 * uses it, and the list of those mailboxes.
 */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, listAll, type FieldProblem } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { ConnectionTestResult, EmailServerProfile, Mailbox } from '../../api/types';
import { useDraft } from '../../api/useDraft';
import { StateBadge } from '../../components/Badges';
import { CommandBar } from '../../components/CommandBar';
import { DataGrid } from '../../components/DataGrid';
import { FormSection, ReadOnlyField } from '../../components/fields';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { useDirectory } from '../../directory/DirectoryContext';
import { mailboxColumns } from '../mailboxes/mailboxColumns';
import { ConnectionResults, ConnectionTestButton } from './ConnectionTest';
import { ProfileFields, type ProfilePasswords } from './ProfileFields';

/** What a new profile starts with: an IMAP/SMTP server, credentials from each mailbox. */
const BLANK: EmailServerProfile = {
  id: '',
  name: '',
  serverType: 'imap-smtp',
  incomingHost: null,
  incomingPort: null,
  incomingTls: 'implicit',
  outgoingHost: null,
  outgoingPort: null,
  outgoingTls: 'starttls',
  actUrl: null,
  credentialSource: 'mailbox',
  incomingUsername: null,
  incomingPasswordSet: false,
  outgoingUsername: null,
  outgoingPasswordSet: false,
  useSameSettingsForOutgoing: true,
  tlsVerifyCertificates: true,
  processEmailReceivedAfter: null,
  minPollingIntervalMinutes: 0,
  maxConcurrentConnections: 10,
  connectionTimeoutMs: 30000,
  moveFailedItemsFolder: null,
  state: 'active',
  lastTestStartedAt: null,
  lastTestStatus: null,
  lastTestMessage: null,
  ownerId: '',
  ownerType: 'user',
  businessUnitId: '',
};

const READ_ONLY = new Set<keyof EmailServerProfile>([
  'id',
  'incomingPasswordSet',
  'outgoingPasswordSet',
  'lastTestStartedAt',
  'lastTestStatus',
  'lastTestMessage',
  'businessUnitId',
  'state',
]);

function withoutOwner(profile: EmailServerProfile): Partial<EmailServerProfile> {
  const { ownerId: _ownerId, ownerType: _ownerType, ...rest } = profile;
  return rest;
}

function requestBody(
  changes: Partial<EmailServerProfile>,
  passwords: ProfilePasswords,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes))
    if (!READ_ONLY.has(key as keyof EmailServerProfile)) body[key] = value;
  if (passwords.incoming) body.incomingPassword = passwords.incoming;
  if (passwords.outgoing) body.outgoingPassword = passwords.outgoing;
  return body;
}

function ProfileMailboxes({ profileId, version }: { profileId: string; version: number }) {
  const { nameOf } = useDirectory();
  const list = useLoad(`${profileId}|${version}`, () =>
    listAll<Mailbox>('/api/mailboxes', { emailServerProfileId: profileId }),
  );
  return (
    <section className="form-section" aria-labelledby="profile-mailboxes">
      <h2 id="profile-mailboxes">Mailboxes Using This Profile</h2>
      {list.data ? (
        <DataGrid
          caption="Mailboxes using this profile"
          columns={mailboxColumns(nameOf).slice(0, 8)}
          rows={list.data.items}
          empty="No mailbox uses this profile."
        />
      ) : (
        <Loading what="mailboxes" />
      )}
    </section>
  );
}

function ProfileEditor({ profile, reload }: { profile: EmailServerProfile; reload: () => void }) {
  const isNew = profile.id === '';
  const draft = useDraft(profile);
  const [passwords, setPasswords] = useState<ProfilePasswords>({ incoming: '', outgoing: '' });
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [results, setResults] = useState<ConnectionTestResult[]>();
  const [version, setVersion] = useState(0);
  const action = useAction();
  const navigate = useNavigate();
  const { refresh } = useDirectory();
  const changed = () => {
    setVersion((v) => v + 1);
    reload();
    refresh();
  };
  const run = (work: () => Promise<string>) => void action.run(work).then(changed);

  const save = () =>
    void action.run(async () => {
      try {
        // A new profile belongs to its creator; an existing one sends only what changed (the owner too).
        const body = requestBody(isNew ? withoutOwner(draft.value) : draft.changes, passwords);
        if (isNew) {
          const created = await api<EmailServerProfile>('POST', '/api/email-server-profiles', body);
          refresh();
          void navigate(`/email-server-profiles/${created.id}`, { replace: true });
          return 'Created.';
        }
        await api('PATCH', `/api/email-server-profiles/${profile.id}`, body);
      } catch (error) {
        if (error instanceof ApiError) setProblems(error.fieldProblems);
        throw error;
      }
      setProblems([]);
      setPasswords({ incoming: '', outgoing: '' });
      changed();
      return 'Saved.';
    });

  const post = (path: string, done: string) =>
    run(async () => {
      await api('POST', `/api/email-server-profiles/${profile.id}/${path}`);
      return done;
    });

  return (
    <>
      <PageHeader
        trail={['Settings', 'Email Configuration', 'Email Server Profiles']}
        kind="Email Server Profile"
        title={isNew ? 'New Email Server Profile' : profile.name}
      />
      <CommandBar label="Email server profile commands">
        <button
          type="button"
          className="primary"
          disabled={action.busy || (!isNew && !draft.dirty && !passwords.incoming && !passwords.outgoing)}
          onClick={save}
        >
          Save
        </button>
        {!isNew && (
          <>
            {profile.state === 'active' ? (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => post('deactivate', 'The profile is deactivated.')}
              >
                Deactivate
              </button>
            ) : (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => post('activate', 'The profile is activated.')}
              >
                Activate
              </button>
            )}
            <ConnectionTestButton
              profileId={profile.id}
              busy={action.busy}
              run={run}
              onResults={setResults}
            />
            <button
              type="button"
              disabled={action.busy}
              onClick={() =>
                run(async () => {
                  const answer = await api<{ items: unknown[] }>(
                    'POST',
                    `/api/email-server-profiles/${profile.id}/test-and-enable-mailboxes?wait=true`,
                  );
                  return `Test & Enable ran for ${answer.items.length} active mailbox${answer.items.length === 1 ? '' : 'es'} using this profile.`;
                })
              }
            >
              Test &amp; Enable Mailboxes
            </button>
          </>
        )}
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      {results && <ConnectionResults results={results} />}
      <div className="form-columns">
        <div>
          <ProfileFields
            draft={draft}
            passwords={passwords}
            onPasswords={setPasswords}
            problems={problems}
            isNew={isNew}
          />
        </div>
        {!isNew && (
          <div>
            <FormSection title="Status">
              <ReadOnlyField label="Status">
                <StateBadge state={profile.state} />
              </ReadOnlyField>
              <ReadOnlyField label="Last Connection Test">
                {profile.lastTestStatus ?? 'Never'} <Time value={profile.lastTestStartedAt} empty="" />
              </ReadOnlyField>
              {profile.lastTestMessage && (
                <ReadOnlyField label="Test Message">{profile.lastTestMessage}</ReadOnlyField>
              )}
              <ReadOnlyField label="Alerts">
                <Link to={`/alerts?profile=${profile.id}`}>Alerts of this profile</Link>
              </ReadOnlyField>
            </FormSection>
          </div>
        )}
      </div>
      {!isNew && <ProfileMailboxes profileId={profile.id} version={version} />}
    </>
  );
}

export function ProfilePage() {
  const { id = '' } = useParams();
  const profile = useLoad(id, () =>
    id === 'new'
      ? Promise.resolve(BLANK)
      : api<EmailServerProfile>('GET', `/api/email-server-profiles/${id}`),
  );
  if (profile.error) return <LoadError error={profile.error} onRetry={profile.reload} />;
  if (!profile.data) return <Loading what="the email server profile" />;
  return <ProfileEditor key={id} profile={profile.data} reload={profile.reload} />;
}
