import { useEffect } from 'react';
import { Link } from 'react-router';
import { useDirectory, type RecordType } from '../directory/DirectoryContext';

const NAMED_TYPES: ReadonlySet<string> = new Set<RecordType>([
  'user',
  'team',
  'queue',
  'emailServerProfile',
  'role',
  'businessUnit',
  'mailbox',
]);

/** Where each kind of record has its form in the console. */
export function recordPath(type: string, id: string): string | undefined {
  switch (type) {
    case 'user':
      return `/security/users/${id}`;
    case 'team':
      return `/security/teams/${id}`;
    case 'role':
      return `/security/roles/${id}`;
    case 'queue':
      return `/queues/${id}`;
    case 'mailbox':
      return `/mailboxes/${id}`;
    case 'emailServerProfile':
      return `/email-server-profiles/${id}`;
    case 'organization':
      return '/settings/email';
    case 'email':
      return `/activities/emails/${id}`;
    default:
      return undefined;
  }
}

/**
 * A link to a record, named as the directory knows it (or as given). Records
 * without a console form, or unknown ids, show as plain text.
 */
export function RecordLink({
  type,
  id,
  name,
}: {
  type: string;
  id: string | null | undefined;
  name?: string | null;
}) {
  const { nameOf, lookUp } = useDirectory();
  const known = NAMED_TYPES.has(type) ? nameOf(type as RecordType, id) : undefined;
  useEffect(() => {
    if (id && !name && !known && NAMED_TYPES.has(type)) lookUp(type as RecordType, id);
  }, [id, name, known, type, lookUp]);
  if (!id) return <span className="muted">—</span>;
  const label = name ?? known ?? `${type} ${id.slice(0, 8)}`;
  const path = recordPath(type, id);
  return path ? <Link to={path}>{label}</Link> : <span>{label}</span>;
}
