/**
 * My Account: who is signed in, their console password, and their API
 * tokens (revocable here; new ones are created with the API or the CLI).
 */
import { api } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import { CommandBar } from '../../components/CommandBar';
import { FormSection, ReadOnlyField } from '../../components/fields';
import { LoadError, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { Time } from '../../components/Time';
import { useSignedInUser } from '../../session/SessionContext';
import { PasswordSection } from '../security/PasswordSection';

interface Token {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

function Tokens() {
  const tokens = useLoad('tokens', () =>
    api<{ items: Token[] }>('GET', '/api/tokens').then((answer) => answer.items),
  );
  const action = useAction();
  const revoke = (token: Token) =>
    void action
      .run(async () => {
        await api('DELETE', `/api/tokens/${token.id}`);
        return `Token ${token.name} revoked; sessions signed in with it have ended.`;
      })
      .then(tokens.reload);
  return (
    <FormSection title="API Tokens">
      <div className="form-wide">
        <Notice outcome={action.outcome} onDismiss={action.clear} />
        {tokens.error && <LoadError error={tokens.error} onRetry={tokens.reload} />}
        <ul className="token-list">
          {(tokens.data ?? []).map((token) => (
            <li key={token.id}>
              <strong>{token.name}</strong> <code>{token.prefix}…</code> created{' '}
              <Time value={token.createdAt} />, last used <Time value={token.lastUsedAt} empty="never" />
              {token.revokedAt ? (
                <span className="badge badge-neutral">Revoked</span>
              ) : (
                <button
                  type="button"
                  className="link-button"
                  disabled={action.busy}
                  onClick={() => revoke(token)}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    </FormSection>
  );
}

export function AccountPage() {
  const user = useSignedInUser();
  return (
    <>
      <PageHeader trail={['Account']} title="My Account" />
      <CommandBar label="Account commands">
        <span className="muted">Signed in as {user.username}</span>
      </CommandBar>
      <FormSection title="User">
        <ReadOnlyField label="Full Name">
          <RecordLink type="user" id={user.id} name={user.name} />
        </ReadOnlyField>
        <ReadOnlyField label="User Name">{user.username}</ReadOnlyField>
      </FormSection>
      <PasswordSection userId={user.id} isSelf />
      <Tokens />
    </>
  );
}
