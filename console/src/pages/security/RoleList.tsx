import { RecordLink } from '../../components/RecordLink';

/** The security roles a user or team holds, each linking to its role. */
export function RoleList({ roleIds, empty }: { roleIds: readonly string[]; empty: string }) {
  if (roleIds.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="link-list" aria-label="Security roles">
      {roleIds.map((id) => (
        <li key={id}>
          <RecordLink type="role" id={id} />
        </li>
      ))}
    </ul>
  );
}
