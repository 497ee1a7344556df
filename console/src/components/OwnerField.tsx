/**
 * The Owner of a record: a link to the owning user or team, and a lookup to
 * assign the record to another one (records are owned by a user or a team).
 */
import { useId } from 'react';
import type { OwnerType } from '../api/types';
import { useDirectory } from '../directory/DirectoryContext';
import { RecordLink } from './RecordLink';

export function OwnerField({
  ownerType,
  ownerId,
  onChange,
}: {
  ownerType: OwnerType;
  ownerId: string;
  onChange: (ownerType: OwnerType, ownerId: string) => void;
}) {
  const id = useId();
  const { directory, nameOf } = useDirectory();
  const listed = (ownerType === 'user' ? directory.users : directory.teams).some(
    (record) => record.id === ownerId,
  );
  return (
    // A named group, so "Owner" also names the link to the owning record.
    <div className="field" role="group" aria-labelledby={`${id}-label`}>
      <label htmlFor={id} id={`${id}-label`}>
        Owner
      </label>
      <div className="lookup">
        <select
          id={id}
          value={`${ownerType}:${ownerId}`}
          onChange={(event) => {
            const [type, value] = event.target.value.split(':');
            onChange(type === 'team' ? 'team' : 'user', value ?? '');
          }}
        >
          {!listed && (
            // The current owner, even when the directory does not list it (yet): the select must show the truth.
            <option value={`${ownerType}:${ownerId}`}>{nameOf(ownerType, ownerId) ?? 'Current owner'}</option>
          )}
          <optgroup label="Users">
            {directory.users.map((user) => (
              <option key={user.id} value={`user:${user.id}`}>
                {user.name}
              </option>
            ))}
          </optgroup>
          <optgroup label="Teams">
            {directory.teams.map((team) => (
              <option key={team.id} value={`team:${team.id}`}>
                {team.name}
              </option>
            ))}
          </optgroup>
        </select>
        <span className="lookup-link">
          Open: <RecordLink type={ownerType} id={ownerId} />
        </span>
      </div>
    </div>
  );
}
