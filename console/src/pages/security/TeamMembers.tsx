/** The members of a team, with Add Members and Remove. */
import { useId, useState } from 'react';
import { api } from '../../api/client';
import type { Team } from '../../api/types';
import { FormSection } from '../../components/fields';
import { RecordLink } from '../../components/RecordLink';
import { useDirectory } from '../../directory/DirectoryContext';

export function TeamMembers({
  team,
  busy,
  run,
}: {
  team: Team;
  busy: boolean;
  run: (work: () => Promise<string>) => void;
}) {
  const { directory, nameOf } = useDirectory();
  const [candidate, setCandidate] = useState('');
  const selectId = useId();
  const others = directory.users.filter((user) => !team.memberIds.includes(user.id));
  return (
    <FormSection title="Members">
      <div className="form-wide">
        {team.memberIds.length === 0 ? (
          <p className="muted">No members.</p>
        ) : (
          <ul className="member-list">
            {team.memberIds.map((id) => (
              <li key={id}>
                <RecordLink type="user" id={id} />
                <button
                  type="button"
                  className="link-button"
                  disabled={busy}
                  aria-label={`Remove ${nameOf('user', id) ?? 'member'} from the team`}
                  onClick={() =>
                    run(async () => {
                      await api('DELETE', `/api/teams/${team.id}/members/${id}`);
                      return 'Member removed.';
                    })
                  }
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="inline-form">
          <label htmlFor={selectId}>Add member</label>
          <select id={selectId} value={candidate} onChange={(event) => setCandidate(event.target.value)}>
            <option value="">Choose a user…</option>
            {others.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={busy || !candidate}
            onClick={() =>
              run(async () => {
                await api('POST', `/api/teams/${team.id}/members`, { userId: candidate });
                setCandidate('');
                return 'Member added.';
              })
            }
          >
            Add
          </button>
        </div>
      </div>
    </FormSection>
  );
}
